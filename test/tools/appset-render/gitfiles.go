package main

// git files generator: one Application per JSON file matching a generator path (sorted),
// its parameters being the file's keys plus the `path` object Argo CD adds.

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type gitFilesGenerator struct {
	Files []struct {
		Path    string `json:"path"`
		Exclude bool   `json:"exclude"`
	} `json:"files"`
}

func renderGitFiles(appsetPath, repoDir string) ([]interface{}, error) {
	raw, err := os.ReadFile(appsetPath)
	if err != nil {
		return nil, err
	}
	var appset applicationSet
	if err := json.Unmarshal(raw, &appset); err != nil {
		return nil, fmt.Errorf("%s: %w", appsetPath, err)
	}
	if !appset.Spec.GoTemplate {
		return nil, fmt.Errorf("%s: %w", appsetPath, errNotGoTemplate)
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
		app, err := application(appset, params, funcs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		apps = append(apps, app)
	}
	return apps, nil
}

// matchFiles applies the include/exclude path globs of every git files generator.
func matchFiles(generators []generator, repoDir string) ([]string, error) {
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
