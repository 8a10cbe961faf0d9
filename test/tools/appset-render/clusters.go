package main

// cluster generator, for one cluster Secret: the parameters are the cluster object (name,
// server, metadata.labels, metadata.annotations); a generator selects the cluster when
// every selector.matchLabels entry equals the Secret's label.

import (
	"encoding/json"
	"fmt"
	"io"
)

type clusterGenerator struct {
	Selector struct {
		MatchLabels      map[string]string `json:"matchLabels"`
		MatchExpressions []interface{}     `json:"matchExpressions"`
	} `json:"selector"`
}

type clustersInput struct {
	Cluster map[string]interface{} `json:"cluster"`
	AppSets []applicationSet       `json:"appsets"`
}

type clustersOutput struct {
	Name         string        `json:"name"`
	Applications []interface{} `json:"applications"`
}

func renderClusters(stdin io.Reader) ([]clustersOutput, error) {
	var in clustersInput
	if err := json.NewDecoder(stdin).Decode(&in); err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	results := []clustersOutput{}
	for _, appset := range in.AppSets {
		apps, err := renderForCluster(appset, in.Cluster)
		if err != nil {
			return nil, fmt.Errorf("ApplicationSet %s: %w", appset.Metadata.Name, err)
		}
		results = append(results, clustersOutput{Name: appset.Metadata.Name, Applications: apps})
	}
	return results, nil
}

func renderForCluster(appset applicationSet, cluster map[string]interface{}) ([]interface{}, error) {
	if !appset.Spec.GoTemplate {
		return nil, errNotGoTemplate
	}
	funcs := argoFuncMap()
	apps := []interface{}{}
	for _, g := range appset.Spec.Generators {
		if g.Clusters == nil {
			return nil, fmt.Errorf("only cluster generators are supported")
		}
		if len(g.Clusters.Selector.MatchExpressions) > 0 {
			return nil, fmt.Errorf("selector.matchExpressions is not supported")
		}
		if !selects(g.Clusters.Selector.MatchLabels, labelsOf(cluster)) {
			continue
		}
		app, err := application(appset, cluster, funcs)
		if err != nil {
			return nil, err
		}
		apps = append(apps, app)
	}
	return apps, nil
}

func labelsOf(cluster map[string]interface{}) map[string]interface{} {
	metadata, _ := cluster["metadata"].(map[string]interface{})
	labels, _ := metadata["labels"].(map[string]interface{})
	return labels
}

func selects(matchLabels map[string]string, labels map[string]interface{}) bool {
	for key, want := range matchLabels {
		if got, ok := labels[key].(string); !ok || got != want {
			return false
		}
	}
	return true
}
