package dev.custos.scenario;

/**
 * An account of the simulated environment; its resource name is {@code account:<id>}.
 *
 * @param id unique among the scenario's accounts; a name (letters, digits, '.', '_', '-')
 * @param privileged whether policies treat it as privileged ({@code resource.privileged}); false unless stated
 */
public record Account(String id, boolean privileged) {

  public Account {
    Names.requireName(id, "an account id");
  }

  /** {@code account:<id>}, the name tools and grants use. */
  public String resource() {
    return "account:" + id;
  }
}
