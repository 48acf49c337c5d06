package dev.custos.policies;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A rule's {@code when} condition: a CEL expression compiled and type-checked once against the declared
 * {@link Variable}s, which must be a boolean. Thread safe; evaluation allocates nothing shared.
 *
 * <p>Limits (see policies/README.md): a condition is at most {@value #MAX_LENGTH} characters; its estimated cost is at
 * most {@value #MAX_COST}; one evaluation runs at most {@value #MAX_ITERATIONS} comprehension iterations, all its
 * comprehensions together (CEL counts nested and sibling loops against one budget), and fails beyond that. CEL for Java
 * has no cost estimator of its own (CEL for Go has), so the estimate is Custos': one unit per expression node, ten more
 * per string search or regular expression, and a comprehension's body times its range's size (a literal list's length,
 * else the iteration limit).
 */
final class Condition {

  static final int MAX_LENGTH = 2_000;
  static final long MAX_COST = 1_000;
  static final int MAX_ITERATIONS = 100;

  private static final CelOptions OPTIONS = CelOptions.current()
      .maxExpressionCodePointSize(MAX_LENGTH)
      .comprehensionMaxIterations(MAX_ITERATIONS)
      .build();
  private static final CelCompiler COMPILER = compiler();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
  private static final java.util.regex.Pattern UNDECLARED =
      java.util.regex.Pattern.compile("undeclared reference to '([^']*)'");
  private static final java.util.regex.Pattern DOTTED_NAME =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\s*\\.\\s*[A-Za-z_][A-Za-z0-9_]*)*");

  /** What compiling a condition gave: exactly one of {@link Compiled} and {@link Refused}. */
  sealed interface Result permits Compiled, Refused {}

  /** @param cost the estimated cost, at most {@link #MAX_COST} */
  record Compiled(Condition condition, long cost) implements Result {}

  /** Every problem found, each with where in the expression it is (1-based line and column; 0 when unknown). */
  record Refused(List<Issue> issues) implements Result {}

  record Issue(int line, int column, String message) {}

  private final String expression;
  private final CelRuntime.Program program;

  private Condition(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  private static CelCompiler compiler() {
    CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setResultType(SimpleType.BOOL);
    for (Variable variable : Variable.values()) {
      builder.addVar(variable.qualifiedName(), variable.kind().celType());
    }
    return builder.build();
  }

  static Result compile(String expression) {
    if (expression.codePointCount(0, expression.length()) > MAX_LENGTH) {
      return new Refused(List.of(new Issue(0, 0, "the condition is longer than " + MAX_LENGTH + " characters")));
    }
    CelValidationResult result = COMPILER.compile(expression);
    if (result.hasError()) {
      List<Issue> issues = new ArrayList<>();
      for (CelIssue issue : result.getAllIssues()) {
        if (issue.getSeverity() == CelIssue.Severity.ERROR) {
          issues.add(issue(expression, issue));
        }
      }
      return new Refused(issues);
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      long cost = cost(ast.getExpr());
      if (cost > MAX_COST) {
        String estimate = cost == Long.MAX_VALUE ? cost + " or more" : String.valueOf(cost);
        return new Refused(List.of(new Issue(0, 0,
            "the condition's estimated cost " + estimate + " is over the limit of " + MAX_COST)));
      }
      return new Compiled(new Condition(expression, RUNTIME.createProgram(ast)), cost);
    } catch (Exception e) { // a validation or planning error CEL reports by exception
      return new Refused(List.of(new Issue(0, 0, String.valueOf(e.getMessage()))));
    }
  }

  /**
   * Evaluates the condition on {@code facts}.
   *
   * @throws CelEvaluationException when evaluation fails (an overflow, a division by zero, a bad timestamp)
   */
  boolean holds(Facts facts) throws CelEvaluationException {
    return Boolean.TRUE.equals(program.eval(facts));
  }

  String expression() {
    return expression;
  }

  private static Issue issue(String expression, CelIssue issue) {
    int line = issue.getSourceLocation().getLine();
    int column = issue.getSourceLocation().getColumn();
    String message = issue.getMessage();
    Matcher undeclared = UNDECLARED.matcher(message);
    if (undeclared.find()) {
      message = unknownVariable(expression, line, column, undeclared.group(1));
    }
    return new Issue(Math.max(line, 0), column < 0 ? 0 : column + 1, message);
  }

  /** The checker names the first part of an unknown dotted name; say which name and what its group offers. */
  private static String unknownVariable(String expression, int line, int column, String reported) {
    String name = reported;
    String[] lines = expression.split("\n", -1);
    if (line >= 1 && line <= lines.length && column >= 0 && column < lines[line - 1].length()) {
      Matcher dotted = DOTTED_NAME.matcher(lines[line - 1]);
      if (dotted.find(column) && dotted.start() == column) {
        name = dotted.group().replaceAll("\\s", "");
      }
    }
    String group = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
    if (Variable.groups().contains(group)) {
      return "unknown variable '" + name + "'; " + group + " has " + String.join(", ", Variable.fields(group));
    }
    return "unknown variable '" + name + "'; conditions can use " + String.join(", ", Variable.groups());
  }

  /**
   * The estimated cost of an expression; see the class comment. Nested comprehensions multiply, so sums and products
   * stop at {@link Long#MAX_VALUE} rather than wrap round to a small or negative cost that would pass the limit.
   */
  private static long cost(CelExpr expr) {
    switch (expr.getKind()) {
      case SELECT:
        return plus(1, cost(expr.select().operand()));
      case CALL: {
        long cost = 1;
        if (expr.call().target().isPresent()) {
          cost = plus(cost, cost(expr.call().target().get()));
        }
        for (CelExpr arg : expr.call().args()) {
          cost = plus(cost, cost(arg));
        }
        switch (expr.call().function()) {
          case "matches":
          case "contains":
          case "startsWith":
          case "endsWith":
            cost = plus(cost, 10);
            break;
          default:
            break;
        }
        return cost;
      }
      case LIST: {
        long cost = 1;
        for (CelExpr element : expr.list().elements()) {
          cost = plus(cost, cost(element));
        }
        return cost;
      }
      case MAP: {
        long cost = 1;
        for (CelExpr.CelMap.Entry entry : expr.map().entries()) {
          cost = plus(cost, plus(cost(entry.key()), cost(entry.value())));
        }
        return cost;
      }
      case STRUCT: {
        long cost = 1;
        for (CelExpr.CelStruct.Entry entry : expr.struct().entries()) {
          cost = plus(cost, cost(entry.value()));
        }
        return cost;
      }
      case COMPREHENSION: {
        CelExpr.CelComprehension loop = expr.comprehension();
        CelExpr range = loop.iterRange();
        long iterations = switch (range.getKind()) {
          case LIST -> range.list().elements().size();
          case MAP -> range.map().entries().size();
          default -> MAX_ITERATIONS;
        };
        long body = plus(cost(loop.loopCondition()), cost(loop.loopStep()));
        return plus(plus(cost(range), cost(loop.accuInit())), plus(times(iterations, body), cost(loop.result())));
      }
      default:
        return 1;
    }
  }

  /** {@code a + b} for costs (never negative), or {@link Long#MAX_VALUE} when that does not fit. */
  private static long plus(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  /** {@code a * b} for costs (never negative), or {@link Long#MAX_VALUE} when that does not fit. */
  private static long times(long a, long b) {
    return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
  }
}
