package dev.custos.identity;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custos.BadInputException;
import org.junit.jupiter.api.function.Executable;

/** What a {@link BadInputException} says, as one value, so a test compares all of it at once. */
record Rejection(String input, int position, String problem) {

  static Rejection of(Executable parse) {
    BadInputException e = assertThrows(BadInputException.class, parse);
    return new Rejection(e.input(), e.position(), e.problem());
  }
}
