// Parses LogQL with Grafana's own LogQL grammar (npm @grafana/lezer-logql, Apache-2.0: the
// parser Grafana's Loki query editor runs), in process. It replaced Loki's parser
// (github.com/grafana/loki/v3 pkg/logql/syntax, built as a Go tool), because that module is
// under the AGPL and this machine's package rules forbid it.
// The grammar is the syntax only; Loki's parser also refuses, and this check lets through:
// a regular expression that does not compile (`|~ "("`, `{a=~"["}`), a string with an invalid
// escape (`"\q"`), and a selector whose matchers all match the empty string (`{a=~".*"}`).
import { parser } from "@grafana/lezer-logql";

/** Where a query stops parsing: position, what is there, and the text just before it. */
function describeError(query: string, from: number, to: number): string {
  // A zero-width error node marks something missing: show the character it stopped at.
  const found = from === to ? (from >= query.length ? "end of query" : `\`${query.slice(from, from + 1)}\``) : `\`${query.slice(from, to)}\``;
  const before = query.slice(Math.max(0, from - 20), from);
  return `syntax error at ${from}: unexpected ${found}${before === "" ? "" : ` after \`${before}\``}`;
}

/** The syntax errors of one query (empty: it parses). */
function errorsOf(query: string): string[] {
  if (query.trim() === "") return ["empty query"];
  const tree = parser.parse(query);
  const errors: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(describeError(query, node.from, node.to));
    },
  });
  // A tree without an expression parsed nothing, even if no error node says so.
  if (errors.length === 0 && tree.topNode.getChild("Expr") === null) errors.push("no expression");
  return errors;
}

/** The parse error of each query that does not parse (empty: all parse). */
export function logqlErrors(queries: string[]): string[] {
  return queries.flatMap((query) => {
    const errors = errorsOf(query);
    return errors.length === 0 ? [] : [`${query}: ${errors.join("; ")}`];
  });
}
