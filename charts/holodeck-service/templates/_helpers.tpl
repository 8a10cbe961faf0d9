{{/*
The service's identity: global.platform.<key> (set by the services ApplicationSet from
services-root, docs/contracts.md section 4) wins; the developer's global.<key> may repeat it
but never contradict it. Without the platform's value (a local render) global.<key> is used.
Args: root, key (service | domain), example.
*/}}
{{- define "hs.identity" -}}
{{- $own := index .root.Values.global .key | default "" -}}
{{- $platform := index (.root.Values.global.platform | default dict) .key | default "" -}}
{{- if $platform -}}
{{- if and $own (ne $own $platform) -}}
{{- fail (printf "holodeck-service: global.%s is %q in the service's values but the platform deploys it as global.platform.%s=%q (services-root); remove global.%s or set it to %q" .key $own .key $platform .key $platform) -}}
{{- end -}}
{{- $platform -}}
{{- else -}}
{{- required (printf "global.%s is required (e.g. %s; the services ApplicationSet sets global.platform.%s)" .key .example .key) $own -}}
{{- end -}}
{{- end -}}

{{/* Service name: namespace, image name, URL path and the prefix of every object name. */}}
{{- define "hs.name" -}}
{{- $name := include "hs.identity" (dict "root" . "key" "service" "example" "python-example") -}}
{{- if and (.Values.global.platform | default dict).service (ne .Release.Namespace $name) -}}
{{- fail (printf "holodeck-service: the release namespace is %q but global.platform.service is %q; a service deploys only into its own namespace" .Release.Namespace $name) -}}
{{- end -}}
{{- $name -}}
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
{{- include "hs.identity" (dict "root" . "key" "domain" "example" "services") -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "hs.labels" -}}
app.kubernetes.io/name: {{ include "hs.name" . }}
app.kubernetes.io/instance: {{ include "hs.name" . }}
app.kubernetes.io/part-of: {{ include "hs.domain" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
holodeck.dev/environment: {{ .Values.global.environment }}
holodeck.dev/service: {{ include "hs.name" . }}
holodeck.dev/domain: {{ include "hs.domain" . }}
{{- with (.Values.global.platform | default dict).team }}
holodeck.dev/team: {{ . }}
{{- end }}
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
{{- define "hs.natsSecret" -}}{{ include "hs.name" . }}-nats{{- end -}}
{{- define "hs.redisHost" -}}{{ include "hs.name" . }}-redis{{- end -}}
{{- define "hs.dashboardUid" -}}hs-{{ include "hs.name" . | sha256sum | trunc 12 }}{{- end -}}
{{- define "hs.redisAuthSecret" -}}{{ include "hs.name" . }}-redis-auth{{- end -}}

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
    {{- include "hs.resources" (dict "root" .root "resources" .resources) | nindent 4 }}
  {{- include "hs.containerSecurityContext" . | nindent 2 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
  {{- with .extra }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}


{{/*
A container's resources with ephemeral-storage (logs and emptyDirs count against it) taken
from .Values.ephemeralStorage where the given requests/limits do not set it, so that every
container declares it. Args: root, resources.
*/}}
{{- define "hs.resources" -}}
{{- $requests := deepCopy (.resources.requests | default dict) -}}
{{- $limits := deepCopy (.resources.limits | default dict) -}}
{{- if not (hasKey $requests "ephemeral-storage") }}{{ $_ := set $requests "ephemeral-storage" .root.Values.ephemeralStorage.request }}{{ end -}}
{{- if not (hasKey $limits "ephemeral-storage") }}{{ $_ := set $limits "ephemeral-storage" .root.Values.ephemeralStorage.limit }}{{ end -}}
{{- toYaml (dict "requests" $requests "limits" $limits) -}}
{{- end -}}

{{/* Deployment annotations when its pods read Secrets (Vault, database, Redis): Reloader restarts it when one changes. */}}
{{- define "hs.reloader" -}}
{{- if or .Values.postgres.enabled .Values.redis.enabled .Values.nats.enabled (and .Values.secrets.enabled .Values.secrets.envVarsFromVault) -}}
reloader.stakater.com/auto: "true"
{{- end -}}
{{- end -}}
