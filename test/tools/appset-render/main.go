// appset-render renders an ApplicationSet with a git files generator the way the Argo CD
// ApplicationSet controller does in goTemplate mode, so tests check the real template
// language (Go text/template + sprig v3, the goTemplateOptions of the ApplicationSet)
// instead of an imitation:
//
//	appset-render -appset appset.json -repo <checkout of the generator's repo>
//
// For every file matching a generator path (sorted, like the git files generator) it
// parses the JSON file into the parameters, adds the `path` parameters Argo CD adds,
// renders every string (map keys too) of spec.template and prints a JSON array of the
// resulting Applications. Any template error (e.g. missingkey=error on an absent field)
// makes it exit 1 naming the file.
//
//	appset-render -health <script.lua> -object <object.json>
//
// runs an argocd-cm health check (health.go) on an object instead.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type gitFilesGenerator struct {
	Git *struct {
		Files []struct {
			Path    string `json:"path"`
			Exclude bool   `json:"exclude"`
		} `json:"files"`
	} `json:"git"`
}

type applicationSet struct {
	Spec struct {
		GoTemplate        bool                   `json:"goTemplate"`
		GoTemplateOptions []string               `json:"goTemplateOptions"`
		Generators        []gitFilesGenerator    `json:"generators"`
		Template          map[string]interface{} `json:"template"`
	} `json:"spec"`
}

func main() {
	appsetPath := flag.String("appset", "", "ApplicationSet manifest (JSON)")
	repoDir := flag.String("repo", "", "directory holding a checkout of the generator's git repository")
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
	if *appsetPath == "" || *repoDir == "" {
		fail(fmt.Errorf("usage: appset-render -appset <file.json> -repo <dir>"))
	}
	apps, err := render(*appsetPath, *repoDir)
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(apps, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "appset-render:", err)
	os.Exit(1)
}

func render(appsetPath, repoDir string) ([]interface{}, error) {
	raw, err := os.ReadFile(appsetPath)
	if err != nil {
		return nil, err
	}
	var appset applicationSet
	if err := json.Unmarshal(raw, &appset); err != nil {
		return nil, fmt.Errorf("%s: %w", appsetPath, err)
	}
	if !appset.Spec.GoTemplate {
		return nil, fmt.Errorf("%s: spec.goTemplate is not true; only goTemplate mode is supported", appsetPath)
	}
	files, err := matchFiles(appset.Spec.Generators, repoDir)
	if err != nil {
		return nil, err
	}
	funcs := argoFuncMap()
	apps := []interface{}{}
	for _, file := range files {
		params, err := fileParams(repoDir, file)
		if err != nil {
			return nil, err
		}
		app, err := replace(appset.Spec.Template, params, funcs, appset.Spec.GoTemplateOptions)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		appMap := app.(map[string]interface{})
		appMap["apiVersion"] = "argoproj.io/v1alpha1"
		appMap["kind"] = "Application"
		apps = append(apps, appMap)
	}
	return apps, nil
}

// matchFiles applies the include/exclude path globs of every git files generator.
func matchFiles(generators []gitFilesGenerator, repoDir string) ([]string, error) {
	var includes, excludes []string
	for _, g := range generators {
		if g.Git == nil {
			return nil, fmt.Errorf("only git generators are supported")
		}
		for _, f := range g.Git.Files {
			if f.Exclude {
				excludes = append(excludes, f.Path)
			} else {
				includes = append(includes, f.Path)
			}
		}
	}
	if len(includes) == 0 {
		return nil, fmt.Errorf("no git files generator path in the ApplicationSet")
	}
	seen := map[string]bool{}
	for _, pattern := range includes {
		matches, err := filepath.Glob(filepath.Join(repoDir, filepath.FromSlash(pattern)))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			rel, _ := filepath.Rel(repoDir, m)
			rel = filepath.ToSlash(rel)
			excluded := false
			for _, ex := range excludes {
				if ok, _ := path.Match(ex, rel); ok {
					excluded = true
				}
			}
			if !excluded {
				seen[rel] = true
			}
		}
	}
	files := make([]string, 0, len(seen))
	for f := range seen {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
}

var nonAlnum = regexp.MustCompile(`[^a-zA-Z0-9]`)

// fileParams are the file's own keys plus the `path` object of the git files generator.
func fileParams(repoDir, file string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(filepath.Join(repoDir, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	params := map[string]interface{}{}
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %w", file, err)
	}
	dir := path.Dir(file)
	segments := []interface{}{}
	for _, s := range strings.Split(dir, "/") {
		segments = append(segments, s)
	}
	base := path.Base(dir)
	name := path.Base(file)
	params["path"] = map[string]interface{}{
		"path":               dir,
		"basename":           base,
		"filename":           name,
		"basenameNormalized": strings.ToLower(nonAlnum.ReplaceAllString(base, "-")),
		"filenameNormalized": strings.ToLower(nonAlnum.ReplaceAllString(name, "-")),
		"segments":           segments,
	}
	return params, nil
}

// argoFuncMap is sprig's generic map without the functions Argo CD removes for safety.
func argoFuncMap() template.FuncMap {
	funcs := sprig.GenericFuncMap()
	for _, unsafe := range []string{"env", "expandenv", "getHostByName"} {
		delete(funcs, unsafe)
	}
	return template.FuncMap(funcs)
}

// replace renders every string of a decoded JSON tree; map keys are templates too.
func replace(node interface{}, params map[string]interface{}, funcs template.FuncMap, options []string) (interface{}, error) {
	switch value := node.(type) {
	case string:
		return execute(value, params, funcs, options)
	case []interface{}:
		out := make([]interface{}, 0, len(value))
		for _, item := range value {
			rendered, err := replace(item, params, funcs, options)
			if err != nil {
				return nil, err
			}
			out = append(out, rendered)
		}
		return out, nil
	case map[string]interface{}:
		out := make(map[string]interface{}, len(value))
		for key, item := range value {
			renderedKey, err := execute(key, params, funcs, options)
			if err != nil {
				return nil, err
			}
			rendered, err := replace(item, params, funcs, options)
			if err != nil {
				return nil, err
			}
			out[renderedKey] = rendered
		}
		return out, nil
	default:
		return value, nil
	}
}

func execute(text string, params map[string]interface{}, funcs template.FuncMap, options []string) (string, error) {
	tmpl, err := template.New("").Funcs(funcs).Option(options...).Parse(text)
	if err != nil {
		return "", fmt.Errorf("failed to parse template %q: %w", text, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, params); err != nil {
		return "", fmt.Errorf("failed to execute go template %q: %w", text, err)
	}
	return buf.String(), nil
}
