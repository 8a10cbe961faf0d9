// cluster-render renders ApplicationSets with a cluster generator the way the Argo CD
// ApplicationSet controller does in goTemplate mode (Go text/template + sprig v3, the
// ApplicationSet's goTemplateOptions such as missingkey=error), for one cluster Secret:
//
//	cluster-render < {"cluster": {...}, "appsets": [...]}
//
// The cluster object holds the generator's parameters (name, server, metadata.labels,
// metadata.annotations). A generator selects the cluster when every selector.matchLabels
// entry equals the Secret's label. Prints a JSON array with one entry per ApplicationSet:
// {"name": ..., "applications": [...]}. Any template error exits 1 naming the ApplicationSet.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type clusterGenerator struct {
	Clusters *struct {
		Selector struct {
			MatchLabels      map[string]string `json:"matchLabels"`
			MatchExpressions []interface{}     `json:"matchExpressions"`
		} `json:"selector"`
	} `json:"clusters"`
}

type applicationSet struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		GoTemplate        bool                   `json:"goTemplate"`
		GoTemplateOptions []string               `json:"goTemplateOptions"`
		Generators        []clusterGenerator     `json:"generators"`
		Template          map[string]interface{} `json:"template"`
	} `json:"spec"`
}

type input struct {
	Cluster map[string]interface{} `json:"cluster"`
	AppSets []applicationSet       `json:"appsets"`
}

type output struct {
	Name         string        `json:"name"`
	Applications []interface{} `json:"applications"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(fmt.Errorf("stdin: %w", err))
	}
	results := []output{}
	for _, appset := range in.AppSets {
		apps, err := render(appset, in.Cluster)
		if err != nil {
			fail(fmt.Errorf("ApplicationSet %s: %w", appset.Metadata.Name, err))
		}
		results = append(results, output{Name: appset.Metadata.Name, Applications: apps})
	}
	out, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cluster-render:", err)
	os.Exit(1)
}

func labelsOf(cluster map[string]interface{}) map[string]interface{} {
	metadata, _ := cluster["metadata"].(map[string]interface{})
	labels, _ := metadata["labels"].(map[string]interface{})
	return labels
}

func render(appset applicationSet, cluster map[string]interface{}) ([]interface{}, error) {
	if !appset.Spec.GoTemplate {
		return nil, fmt.Errorf("spec.goTemplate is not true; only goTemplate mode is supported")
	}
	funcs := argoFuncMap()
	apps := []interface{}{}
	for _, generator := range appset.Spec.Generators {
		if generator.Clusters == nil {
			return nil, fmt.Errorf("only cluster generators are supported")
		}
		if len(generator.Clusters.Selector.MatchExpressions) > 0 {
			return nil, fmt.Errorf("selector.matchExpressions is not supported")
		}
		if !selects(generator.Clusters.Selector.MatchLabels, labelsOf(cluster)) {
			continue
		}
		app, err := replace(appset.Spec.Template, cluster, funcs, appset.Spec.GoTemplateOptions)
		if err != nil {
			return nil, err
		}
		appMap := app.(map[string]interface{})
		appMap["apiVersion"] = "argoproj.io/v1alpha1"
		appMap["kind"] = "Application"
		apps = append(apps, appMap)
	}
	return apps, nil
}

func selects(matchLabels map[string]string, labels map[string]interface{}) bool {
	for key, want := range matchLabels {
		if got, ok := labels[key].(string); !ok || got != want {
			return false
		}
	}
	return true
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
