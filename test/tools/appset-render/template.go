package main

// The template engine both generator modes share: the ApplicationSet's spec.template is
// rendered once per generator parameter set, every string (map keys too) being a Go
// template with sprig's functions, exactly as the ApplicationSet controller does.

import (
	"bytes"
	"fmt"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type generator struct {
	Git      *gitFilesGenerator `json:"git"`
	Clusters *clusterGenerator  `json:"clusters"`
}

type applicationSet struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		GoTemplate        bool                   `json:"goTemplate"`
		GoTemplateOptions []string               `json:"goTemplateOptions"`
		Generators        []generator            `json:"generators"`
		Template          map[string]interface{} `json:"template"`
	} `json:"spec"`
}

var errNotGoTemplate = fmt.Errorf("spec.goTemplate is not true; only goTemplate mode is supported")

// application renders spec.template with one generator's parameters into an Application.
func application(appset applicationSet, params map[string]interface{}, funcs template.FuncMap) (map[string]interface{}, error) {
	app, err := replace(appset.Spec.Template, params, funcs, appset.Spec.GoTemplateOptions)
	if err != nil {
		return nil, err
	}
	appMap := app.(map[string]interface{})
	appMap["apiVersion"] = "argoproj.io/v1alpha1"
	appMap["kind"] = "Application"
	return appMap, nil
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
