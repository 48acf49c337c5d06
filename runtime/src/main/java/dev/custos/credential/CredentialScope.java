package dev.custos.credential;

import dev.custos.capability.Pattern;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a credential covers, written into its RFC 9396 {@code authorization_details} as one object
 * {@code {"type":"custos_tool","actions":[tools...],"locations":[resource patterns...]}}: a call is covered when its
 * tool is one of {@link #tools()} (compared exactly) and one of {@link #resources()} matches its resource.
 *
 * <p>An empty list covers nothing, so {@link #NONE} (what a request made without a scope carries) fails every scope
 * check: default deny. Whoever builds the request keeps the scope within the agent's grant; the broker writes what it
 * is given. Immutable and thread safe.
 *
 * @param tools tool names ({@code host.isolate}), no blanks, no duplicates
 * @param resources resource patterns ({@code host:corp/*}), no duplicates
 */
public record CredentialScope(List<String> tools, List<Pattern> resources) {

  /** Covers nothing. */
  public static final CredentialScope NONE = new CredentialScope(List.of(), List.of());

  /** @throws IllegalArgumentException on a blank tool name or a duplicate; NullPointerException on a null */
  public CredentialScope {
    tools = List.copyOf(tools);
    resources = List.copyOf(resources);
    for (String tool : tools) {
      if (tool.isBlank()) {
        throw new IllegalArgumentException("a tool name may not be blank");
      }
    }
    if (tools.stream().distinct().count() != tools.size()) {
      throw new IllegalArgumentException("a tool is listed twice: " + tools);
    }
    if (resources.stream().distinct().count() != resources.size()) {
      throw new IllegalArgumentException("a resource pattern is listed twice: " + resources);
    }
  }

  /**
   * One tool over the given resource patterns.
   *
   * @throws dev.custos.BadInputException if a pattern does not parse
   */
  public static CredentialScope of(String tool, String... resourcePatterns) {
    Objects.requireNonNull(tool, "tool");
    return new CredentialScope(List.of(tool), Arrays.stream(resourcePatterns).map(Pattern::parse).toList());
  }

  /** Whether a call of {@code tool} on {@code resource} is within this scope. */
  public boolean covers(String tool, String resource) {
    if (tool == null || resource == null || !tools.contains(tool)) {
      return false;
    }
    for (Pattern pattern : resources) {
      if (pattern.matches(resource)) {
        return true;
      }
    }
    return false;
  }

  /** The resource patterns as written, in order: the {@code locations} of the claim. */
  public List<String> resourceTexts() {
    return resources.stream().map(Pattern::text).toList();
  }
}
