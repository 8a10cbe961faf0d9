{{/* Service name: namespace, image name, URL path and the prefix of every object name. */}}
{{- define "hs.name" -}}
{{- required "global.service is required (the service name, e.g. python-example)" .Values.global.service -}}
{{- end -}}

{{/* The stack's public edge (set by the services ApplicationSet): gateway | ingress-nginx. */}}
{{- define "hs.edge" -}}
{{- required "global.edge is required (gateway | ingress-nginx, set by the services ApplicationSet)" .Values.global.edge -}}
{{- end -}}

{{/* "true" when the service is served on edge .edge: the stack's edge, or its standby edge during a switch. */}}
{{- define "hs.servesOn" -}}
{{- if or (eq (include "hs.edge" .root) .edge) (eq (.root.Values.global.edgeStandby | default "") .edge) }}true{{ end -}}
{{- end -}}

{{/* The namespace peers of the edges' proxies: what may call the app's HTTP port from outside. */}}
{{- define "hs.edgePeers" -}}
{{- if include "hs.servesOn" (dict "root" . "edge" "gateway") }}
{{ include "hs.nsPeer" (required "global.gateway.namespace is required on the gateway edge (set by the services ApplicationSet)" (.Values.global.gateway | default dict).namespace) }}
{{- end }}
{{- if include "hs.servesOn" (dict "root" . "edge" "ingress-nginx") }}
{{ include "hs.nsPeer" "ingress-nginx" }}
{{- end }}
{{- end -}}

{{- define "hs.domain" -}}
{{- required "global.domain is required (the business domain, e.g. services)" .Values.global.domain -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "hs.labels" -}}
app.kubernetes.io/name: {{ include "hs.name" . }}
app.kubernetes.io/instance: {{ include "hs.name" . }}
app.kubernetes.io/part-of: {{ include "hs.domain" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
holodeck.dev/environment: {{ .Values.global.environment }}
{{- end -}}

{{/* Selector labels of one component (app, worker-<name>, redis, migrate, cron-<name>). */}}
{{- define "hs.selectorLabels" -}}
app.kubernetes.io/instance: {{ include "hs.name" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* metadata: name, labels, Argo CD sync wave. Args: root, name, wave, component?, labels?, annotations? */}}
{{- define "hs.metadata" }}
metadata:
  name: {{ .name }}
  labels:
    {{- include "hs.labels" .root | nindent 4 }}
    {{- with .component }}
    app.kubernetes.io/component: {{ . }}
    {{- end }}
    {{- with .labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    argocd.argoproj.io/sync-wave: {{ .wave | quote }}
    {{- with .annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{- define "hs.image" -}}
{{- $repo := .Values.image.repository | default (printf "%s/%s" (required "global.imageRegistry is required (set by the services ApplicationSet)" .Values.global.imageRegistry) (include "hs.name" .)) -}}
{{- printf "%s:%s" $repo (required "image.tag is required (set by the services ApplicationSet)" .Values.image.tag) -}}
{{- end -}}

{{- define "hs.databaseName" -}}
{{- .Values.postgres.databaseName | default (include "hs.name" . | replace "-" "_") -}}
{{- end -}}

{{- define "hs.postgresSecret" -}}{{ include "hs.name" . }}-postgres{{- end -}}
{{- define "hs.vaultSecret" -}}{{ include "hs.name" . }}-vault{{- end -}}
{{- define "hs.redisHost" -}}{{ include "hs.name" . }}-redis{{- end -}}

{{/* Pod-level security: Pod Security "restricted". Args: root, user (optional uid). */}}
{{- define "hs.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .user | default .root.Values.podSecurity.runAsUser }}
  runAsGroup: {{ .user | default .root.Values.podSecurity.runAsGroup }}
  fsGroup: {{ .user | default .root.Values.podSecurity.fsGroup }}
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "hs.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  privileged: false
  capabilities:
    drop: ["ALL"]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Pod labels: selector + common + Istio switch. Args: root, component, mesh (bool). */}}
{{- define "hs.podLabels" -}}
{{ include "hs.labels" .root }}
app.kubernetes.io/component: {{ .component }}
sidecar.istio.io/inject: {{ and .mesh .root.Values.istio.injection | quote }}
{{- end -}}

{{/* Spec fields shared by every pod of the service's own image. */}}
{{- define "hs.podCommon" -}}
serviceAccountName: {{ include "hs.name" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
enableServiceLinks: false
{{ include "hs.podSecurityContext" (dict "root" .) }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}

{{/*
One container of the service's image with the full environment. Args: root, name,
command, args, resources, extra (YAML appended: ports, probes).
*/}}
{{- define "hs.container" -}}
- name: {{ .name }}
  image: {{ include "hs.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  {{- with .command }}
  command: {{ toJson . }}
  {{- end }}
  {{- with .args }}
  args: {{ toJson . }}
  {{- end }}
  env:
    {{- include "hs.env" .root | nindent 4 }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  {{- include "hs.containerSecurityContext" . | nindent 2 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
  {{- with .extra }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}
