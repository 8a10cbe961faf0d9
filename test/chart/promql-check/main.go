// promql-check parses PromQL expressions with Prometheus' own parser: one expression per
// line on stdin, one line out per expression ("ok" or the parse error). Exit 1 if any
// expression is invalid. The chart tests feed it every PrometheusRule expression.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	parse := parser.NewParser(parser.Options{})
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	failed := false
	for scanner.Scan() {
		if _, err := parse.ParseExpr(scanner.Text()); err != nil {
			fmt.Println(err)
			failed = true
		} else {
			fmt.Println("ok")
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}
