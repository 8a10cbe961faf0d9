{{/* Spread the pods of one component over zones, then nodes. Args: root, component. */}}
{{- define "hs.topologySpread" -}}
{{- if .root.Values.topologySpread.enabled -}}
topologySpreadConstraints:
  {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: 1
    topologyKey: {{ $key }}
    whenUnsatisfiable: {{ $.root.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "hs.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Ports and HTTP probes of the app container. */}}
{{- define "hs.appPortsAndProbes" -}}
ports:
  - name: http
    containerPort: {{ .Values.port }}
    protocol: TCP
  {{- if and .Values.metrics.enabled (ne (int .Values.metrics.port) (int .Values.port)) }}
  - name: metrics
    containerPort: {{ .Values.metrics.port }}
    protocol: TCP
  {{- end }}
{{- range $kind := list "liveness" "readiness" "startup" }}
{{- $p := index $.Values.probes $kind }}
{{ $kind }}Probe:
  httpGet:
    path: {{ $p.path }}
    port: http
  periodSeconds: {{ $p.periodSeconds }}
  failureThreshold: {{ $p.failureThreshold }}
  timeoutSeconds: 2
{{- end }}
{{- end -}}

{{/* NetworkPolicy peer: every pod of the namespace named by the argument. */}}
{{- define "hs.nsPeer" -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ . }}
{{- end -}}
