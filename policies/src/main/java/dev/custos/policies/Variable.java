package dev.custos.policies;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The variables a rule's {@code when} condition can use, with their types. A condition naming anything else does not
 * compile. A value the request does not give takes its type's empty value ({@code ""}, {@code 0}, {@code false}).
 *
 * <p>For a delegation, {@code tool.name} is {@value PolicyEngine#DELEGATE_TOOL}, {@code resource.kind} is {@code agent},
 * {@code resource.name} is {@code agent:<the child's path>} and {@code child} names the new agent; for a tool call,
 * {@code child} is empty.
 */
public enum Variable {
  AGENT_ID("agent.id", Kind.STRING),
  AGENT_PATH("agent.path", Kind.STRING),
  AGENT_ROLE("agent.role", Kind.STRING),
  AGENT_TYPE("agent.type", Kind.STRING),
  AGENT_DEPTH("agent.depth", Kind.INT),
  AGENT_MISSION("agent.mission", Kind.STRING),
  TOOL_NAME("tool.name", Kind.STRING),
  TOOL_RISK("tool.risk", Kind.STRING),
  TOOL_COST("tool.cost", Kind.INT),
  RESOURCE_NAME("resource.name", Kind.STRING),
  RESOURCE_KIND("resource.kind", Kind.STRING),
  RESOURCE_ZONE("resource.zone", Kind.STRING),
  RESOURCE_CRITICALITY("resource.criticality", Kind.STRING),
  RESOURCE_PRIVILEGED("resource.privileged", Kind.BOOL),
  MISSION_ID("mission.id", Kind.STRING),
  MISSION_NAME("mission.name", Kind.STRING),
  MISSION_SEVERITY("mission.severity", Kind.STRING),
  CONTEXT_CONFIDENCE("context.confidence", Kind.DOUBLE),
  CONTEXT_TIME("context.time", Kind.STRING),
  CONTEXT_APPROVED("context.approved", Kind.BOOL),
  CHILD_ROLE("child.role", Kind.STRING),
  CHILD_TYPE("child.type", Kind.STRING);

  /** The Java and CEL type of a variable's value. */
  public enum Kind {
    STRING(SimpleType.STRING, ""),
    INT(SimpleType.INT, 0L),
    DOUBLE(SimpleType.DOUBLE, 0.0),
    BOOL(SimpleType.BOOL, false);

    private final CelType celType;
    private final Object empty;

    Kind(CelType celType, Object empty) {
      this.celType = celType;
      this.empty = empty;
    }

    public CelType celType() {
      return celType;
    }

    /** The value a request that leaves the variable out gives it. */
    public Object empty() {
      return empty;
    }

    /** As messages name it. */
    public String text() {
      return celType.name();
    }
  }

  private static final Map<String, Variable> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Variable::qualifiedName, Function.identity()));

  private final String qualifiedName;
  private final Kind kind;

  Variable(String qualifiedName, Kind kind) {
    this.qualifiedName = qualifiedName;
    this.kind = kind;
  }

  /** As a condition writes it: {@code resource.criticality}. */
  public String qualifiedName() {
    return qualifiedName;
  }

  /** The group: {@code resource} of {@code resource.criticality}. */
  public String group() {
    return qualifiedName.substring(0, qualifiedName.indexOf('.'));
  }

  /** The field within its group: {@code criticality} of {@code resource.criticality}. */
  public String field() {
    return qualifiedName.substring(qualifiedName.indexOf('.') + 1);
  }

  public Kind kind() {
    return kind;
  }

  public static Optional<Variable> named(String qualifiedName) {
    return Optional.ofNullable(BY_NAME.get(qualifiedName));
  }

  /** The groups, in declaration order: agent, tool, resource, mission, context, child. */
  public static List<String> groups() {
    return Arrays.stream(values()).map(Variable::group).distinct().toList();
  }

  /** The fields of one group, in declaration order. */
  public static List<String> fields(String group) {
    return Arrays.stream(values()).filter(v -> v.group().equals(group)).map(Variable::field).toList();
  }
}
