{{/*
The environment every container of the service's image gets (app, workers, migration,
CronJobs). Order matters: DATABASE_URL and REDIS_URL expand $(DATABASE_*) and
$(REDIS_PASSWORD) defined before them.
*/}}
{{- define "hs.env" -}}
{{- $name := include "hs.name" . -}}
- name: SERVICE_NAME
  value: {{ $name | quote }}
- name: SERVICE_DOMAIN
  value: {{ include "hs.domain" . | quote }}
- name: ENVIRONMENT
  value: {{ .Values.global.environment | quote }}
- name: PORT
  value: {{ .Values.port | quote }}
- name: LOG_FORMAT
  value: {{ .Values.logging.format | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logging.level | quote }}
{{- if .Values.metrics.enabled }}
- name: METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
{{- end }}
{{- if .Values.tracing.enabled }}
- name: OTEL_SERVICE_NAME
  value: {{ $name | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=%s,deployment.environment=%s" (include "hs.domain" .) .Values.global.environment | quote }}
- name: OTEL_TRACES_EXPORTER
  value: otlp
- name: OTEL_METRICS_EXPORTER
  value: none
- name: OTEL_LOGS_EXPORTER
  value: none
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.tracing.endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .Values.tracing.protocol | quote }}
- name: OTEL_TRACES_SAMPLER
  value: parentbased_traceidratio
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.tracing.samplerRatio | toString | quote }}
{{- else }}
- name: OTEL_SDK_DISABLED
  value: "true"
{{- end }}
{{- if .Values.nats.enabled }}
- name: NATS_URL
  value: {{ .Values.nats.url | quote }}
- name: NATS_USER
  value: {{ $name | quote }}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "hs.natsSecret" . }}
      key: password
{{- end }}
{{- if .Values.postgres.enabled }}
{{- $secret := include "hs.postgresSecret" . }}
{{- range $env, $key := dict "DATABASE_USER" "username" "DATABASE_PASSWORD" "password" "DATABASE_HOST" "host" "DATABASE_PORT" "port" "DATABASE_NAME" "database" }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
- name: DATABASE_URL
  value: "postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_NAME)"
{{- end }}
{{- if .Values.redis.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "hs.redisAuthSecret" . }}
      key: password
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:6379/0" (include "hs.redisHost" .) | quote }}
{{- end }}
{{- if .Values.secrets.enabled }}
{{- $secret := include "hs.vaultSecret" . }}
{{- range $env, $_ := .Values.secrets.envVarsFromVault }}
{{- if hasKey $.Values.envVars $env }}
{{- fail (printf "holodeck-service: %s is in both envVars and secrets.envVarsFromVault; keep one" $env) }}
{{- end }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $env }}
{{- end }}
{{- end }}
{{- range $env, $spec := .Values.envVars }}
- name: {{ $env }}
  value: {{ $spec.value | quote }}
{{- end }}
{{- end -}}
