// kube-strict decodes Kubernetes manifests with the real API types of the pinned
// Kubernetes version in strict mode (unknown and duplicate fields are errors, the
// check `kubectl apply` makes by default). It reads a JSON array of manifests on stdin
// and prints a JSON array of results, one per manifest, in order. Kinds that are not
// built into Kubernetes are reported as "unknown" so the caller validates them
// against their CRD schema instead.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
)

type result struct {
	Status string `json:"status"` // ok | invalid | unknown
	Error  string `json:"error,omitempty"`
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var docs []json.RawMessage
	if err := json.Unmarshal(input, &docs); err != nil {
		fail(fmt.Errorf("stdin must be a JSON array of manifests: %w", err))
	}
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	results := make([]result, 0, len(docs))
	for _, doc := range docs {
		results = append(results, check(decoder, doc))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fail(err)
	}
}

func check(decoder runtime.Decoder, doc json.RawMessage) result {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(doc, &meta); err != nil {
		return result{Status: "invalid", Error: err.Error()}
	}
	gvk := schema.FromAPIVersionAndKind(meta.APIVersion, meta.Kind)
	if !scheme.Scheme.Recognizes(gvk) {
		return result{Status: "unknown"}
	}
	if _, _, err := decoder.Decode(doc, nil, nil); err != nil {
		return result{Status: "invalid", Error: err.Error()}
	}
	return result{Status: "ok"}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kube-strict:", err)
	os.Exit(2)
}
