// appset-render renders ApplicationSets the way the Argo CD ApplicationSet controller does
// in goTemplate mode, so tests check the real template language (Go text/template + sprig
// v3, the goTemplateOptions of the ApplicationSet, e.g. missingkey=error) instead of an
// imitation. Any template error makes it exit 1 naming the file or ApplicationSet.
//
//	appset-render -appset appset.json -repo <checkout of the generator's repo>
//
// git files generator (gitfiles.go): prints a JSON array of the Applications generated
// from every file matching a generator path.
//
//	appset-render -clusters < {"cluster": {...}, "appsets": [...]}
//
// cluster generator (clusters.go), for one cluster Secret: prints a JSON array with one
// entry per ApplicationSet, {"name": ..., "applications": [...]}.
//
//	appset-render -health <script.lua> -object <object.json>
//
// runs an argocd-cm health check (health.go) on an object instead.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

func main() {
	appsetPath := flag.String("appset", "", "ApplicationSet manifest (JSON) with a git files generator")
	repoDir := flag.String("repo", "", "directory holding a checkout of the generator's git repository")
	clusters := flag.Bool("clusters", false, "render cluster-generator ApplicationSets for the cluster on stdin")
	healthScript := flag.String("health", "", "Lua health check script (with -object)")
	objectPath := flag.String("object", "", "object (JSON) the health check runs on")
	flag.Parse()
	if *healthScript != "" {
		status, err := runHealth(*healthScript, *objectPath)
		if err != nil {
			fail(err)
		}
		out, _ := json.Marshal(status)
		fmt.Println(string(out))
		return
	}
	var result interface{}
	var err error
	switch {
	case *clusters:
		result, err = renderClusters(os.Stdin)
	case *appsetPath != "" && *repoDir != "":
		result, err = renderGitFiles(*appsetPath, *repoDir)
	default:
		err = fmt.Errorf("usage: appset-render -appset <file.json> -repo <dir> | -clusters < input.json")
	}
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(result, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "appset-render:", err)
	os.Exit(1)
}
