// logql-check parses LogQL queries with Loki's own parser: one query per line on stdin, one
// line out per query ("ok" or the parse error). Exit 1 if any query is invalid. The chart
// tests feed it the service dashboard's log queries.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/grafana/loki/v3/pkg/logql/syntax"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	failed := false
	for scanner.Scan() {
		if _, err := syntax.ParseExpr(scanner.Text()); err != nil {
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
