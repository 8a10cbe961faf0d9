{{/* The team's Argo CD project. */}}
{{- define "team.project" -}}
team-{{ required "team is required (the team file's name)" .Values.team }}
{{- end -}}

{{/* Labels of every object of this chart. */}}
{{- define "team.labels" -}}
app.kubernetes.io/managed-by: holodeck-platform
holodeck.dev/team: {{ .Values.team | quote }}
{{- end -}}
