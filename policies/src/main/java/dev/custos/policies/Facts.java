package dev.custos.policies;

import dev.cel.runtime.CelVariableResolver;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The values of every {@link Variable} for one decision; a variable not set holds its type's empty value. Immutable
 * once built; build one with {@link #builder()}.
 */
public final class Facts implements CelVariableResolver {

  private static final Variable[] VARIABLES = Variable.values();

  private final Object[] values;

  private Facts(Object[] values) {
    this.values = values;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The value of {@code variable}: a String, Long, Double or Boolean, as its kind says. */
  public Object get(Variable variable) {
    return values[variable.ordinal()];
  }

  public String text(Variable variable) {
    return (String) get(variable);
  }

  /** Resolves a condition's variable by its qualified name, as the CEL runtime asks. */
  @Override
  public Optional<Object> find(String name) {
    return Variable.named(name).map(this::get);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Facts facts && Arrays.equals(values, facts.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    for (Variable variable : VARIABLES) {
      Object value = get(variable);
      if (!value.equals(variable.kind().empty())) {
        out.append(out.length() > 1 ? ", " : "").append(variable.qualifiedName()).append('=').append(value);
      }
    }
    return out.append('}').toString();
  }

  /** Sets values one by one; each checked against its variable's kind. Not thread safe. */
  public static final class Builder {

    private final Object[] values = new Object[VARIABLES.length];

    private Builder() {
      for (Variable variable : VARIABLES) {
        values[variable.ordinal()] = variable.kind().empty();
      }
    }

    /**
     * Sets a variable; integers may be given as any integral Number, doubles as any Number.
     *
     * @throws IllegalArgumentException when the value does not fit the variable's kind
     */
    public Builder set(Variable variable, Object value) {
      Objects.requireNonNull(value, variable.qualifiedName());
      values[variable.ordinal()] = switch (variable.kind()) {
        case STRING -> cast(variable, value, String.class);
        case BOOL -> cast(variable, value, Boolean.class);
        case INT -> {
          if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            yield ((Number) value).longValue();
          }
          throw wrong(variable, value);
        }
        case DOUBLE -> {
          if (value instanceof Number number) {
            yield number.doubleValue();
          }
          throw wrong(variable, value);
        }
      };
      return this;
    }

    public Facts build() {
      return new Facts(values.clone());
    }

    private static Object cast(Variable variable, Object value, Class<?> type) {
      if (!type.isInstance(value)) {
        throw wrong(variable, value);
      }
      return value;
    }

    private static IllegalArgumentException wrong(Variable variable, Object value) {
      return new IllegalArgumentException(variable.qualifiedName() + " is " + variable.kind().text() + ", got "
          + value.getClass().getSimpleName() + " " + value);
    }
  }
}
