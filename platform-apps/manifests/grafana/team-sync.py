#!/usr/bin/env python3
"""Grafana team sync: one Grafana organisation per team, reading only its own services' data.

Grafana OSS has no per-data-source permission, so tenancy is by organisation. For each team
ConfigMap the team chart renders into this namespace (label holodeck.dev/grafana-team, key
team.json: {"team", "ssoGroups", "namespaces"}), this job:
  - keeps an organisation `team-<team>` with the data sources Loki (header X-Scope-OrgID: the
    team's namespaces joined by '|': Loki's tenants are namespaces, see Alloy's stage.tenant),
    Prometheus through prom-label-proxy (header X-Holodeck-Namespaces: the same, joined by ',')
    and Jaeger, rewritten on every run so no one can change what they read;
  - copies the dashboards of ConfigMaps labelled grafana_dashboard=1 in the team's own
    namespaces (the holodeck-service chart's service dashboard) into a folder per namespace, and
    removes the ones it copied before that are gone;
  - writes Grafana's org mapping (GF_AUTH_GENERIC_OAUTH_ORG_MAPPING in the Secret
    MAPPING_SECRET): every SSO group of a team -> Viewer of that team's organisation, every
    platform admin group -> Admin of all organisations; and restarts Grafana (pod template
    annotation) when the mapping changed or an organisation was created, because Grafana reads
    the mapping, and resolves its organisation names, at start.
An organisation whose team is gone is kept (its dashboards are data) but loses its data sources.
A wrong team ConfigMap stops the run before any change; a wrong dashboard is reported and
skipped; either way the run exits 1.

Env: GRAFANA_URL, GRAFANA_USER, GRAFANA_PASSWORD, NAMESPACE, MAPPING_SECRET, GRAFANA_DEPLOYMENT,
PLATFORM_ADMIN_GROUPS (JSON list), LOKI_URL, PROMETHEUS_URL, JAEGER_URL, and optionally
KUBERNETES_URL, KUBERNETES_TOKEN_FILE, KUBERNETES_CA_FILE (default: the pod's own). Standard library only.
"""
import base64
import hashlib
import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ORG_PREFIX = "team-"
TEAM_LABEL = "holodeck.dev/grafana-team"
DASHBOARD_LABEL = "grafana_dashboard=1"
# Dashboards this job copied carry this tag: only those are ever removed by it.
SYNC_TAG = "holodeck-team-sync"
MAPPING_KEY = "GF_AUTH_GENERIC_OAUTH_ORG_MAPPING"
# prom-label-proxy's -header-name (manifests/grafana/prom-label-proxy.yaml), a comma-separated list.
PROMETHEUS_HEADER = "X-Holodeck-Namespaces"
MAPPING_ANNOTATION = "holodeck.dev/org-mapping-sha256"
CREATED_ANNOTATION = "holodeck.dev/orgs-created-at"
NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


class ApiError(Exception):
    """An HTTP call that failed: the message names the call and the server's answer."""


def env(name, default=None):
    value = os.environ.get(name, default)
    if not value:
        sys.exit(f"grafana-team-sync: environment variable {name} is required")
    return value


class Api:
    """JSON over HTTP(S) with one fixed authorisation header."""

    def __init__(self, base, authorization, cafile=None):
        self.base = base.rstrip("/")
        self.authorization = authorization
        # A CA only verifies HTTPS (a plain-HTTP address is a test's API model).
        self.context = ssl.create_default_context(cafile=cafile) if cafile and self.base.startswith("https://") else None

    def call(self, method, path, body=None, headers=None, missing_ok=False, content_type="application/json"):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Authorization", self.authorization)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                text = response.read().decode()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as err:
            if err.code == 404 and missing_ok:
                return None
            raise ApiError(f"{method} {path}: HTTP {err.code} {err.read().decode().strip()}") from None
        except urllib.error.URLError as err:
            raise ApiError(f"{method} {path}: {err.reason}") from None


def read_teams(kube, namespace, problems):
    """The teams ConfigMaps, checked: names are DNS labels, a group and a namespace belong to one team."""
    selector = urllib.parse.quote(f"{TEAM_LABEL}=true")
    items = kube.call("GET", f"/api/v1/namespaces/{namespace}/configmaps?labelSelector={selector}")["items"]
    teams, group_owner, namespace_owner = {}, {}, {}
    for item in sorted(items, key=lambda i: i["metadata"]["name"]):
        where = f"ConfigMap {namespace}/{item['metadata']['name']} key team.json"
        try:
            team = json.loads(item.get("data", {}).get("team.json", ""))
        except json.JSONDecodeError as err:
            problems.append(f"{where}: not JSON ({err})")
            continue
        if not isinstance(team, dict):
            problems.append(f"{where}: must be a JSON object")
            continue
        name = team.get("team")
        if not isinstance(name, str) or not NAME.match(name) or item["metadata"]["name"] != f"grafana-team-{name}":
            problems.append(f"{where}: team {name!r} must be a DNS label and the ConfigMap named grafana-team-<team>")
            continue
        groups, namespaces = team.get("ssoGroups"), team.get("namespaces")
        if not isinstance(groups, list) or not groups or not all(isinstance(g, str) and g for g in groups):
            problems.append(f"{where}: ssoGroups must be a non-empty list of group names")
            continue
        if not isinstance(namespaces, list) or not all(isinstance(n, str) and NAME.match(n) for n in namespaces):
            problems.append(f"{where}: namespaces must be a list of DNS labels")
            continue
        clash = [f"SSO group {g!r} is also in team {group_owner[g]!r}" for g in groups if g in group_owner]
        clash += [f"namespace {n!r} is also in team {namespace_owner[n]!r}" for n in namespaces if n in namespace_owner]
        if clash:
            problems.append(f"{where}: {'; '.join(clash)}; each belongs to one team")
            continue
        group_owner.update({g: name for g in groups})
        namespace_owner.update({n: name for n in namespaces})
        teams[name] = {"groups": groups, "namespaces": namespaces}
    return teams


def data_sources(namespaces, urls):
    """The team organisation's data sources: Loki and Prometheus read exactly the team's namespaces."""
    # No namespace yet: a name that no namespace can be (not a DNS label), so both return nothing.
    owned = namespaces or ["_no-namespace_"]
    return [
        {
            "name": "Prometheus",
            "uid": "prometheus",
            "type": "prometheus",
            "access": "proxy",
            # prom-label-proxy: limits every query, series and label request to these namespaces.
            "url": urls["prometheus"],
            "isDefault": True,
            "jsonData": {"httpHeaderName1": PROMETHEUS_HEADER},
            "secureJsonData": {"httpHeaderValue1": ",".join(owned)},
        },
        {
            "name": "Loki",
            "uid": "loki",
            "type": "loki",
            "access": "proxy",
            "url": urls["loki"],
            "jsonData": {"httpHeaderName1": "X-Scope-OrgID"},
            "secureJsonData": {"httpHeaderValue1": "|".join(owned)},
        },
        {
            "name": "Jaeger",
            "uid": "jaeger",
            "type": "jaeger",
            "access": "proxy",
            "url": urls["jaeger"],
            "jsonData": {"tracesToLogsV2": {"datasourceUid": "loki", "filterByTraceID": True}},
        },
    ]


def sync_data_sources(grafana, org_id, wanted):
    headers = {"X-Grafana-Org-Id": str(org_id)}
    for source in wanted:
        if grafana.call("GET", f"/api/datasources/uid/{source['uid']}", headers=headers, missing_ok=True) is None:
            grafana.call("POST", "/api/datasources", source, headers)
        else:
            grafana.call("PUT", f"/api/datasources/uid/{source['uid']}", source, headers)


def remove_data_sources(grafana, org_id):
    headers = {"X-Grafana-Org-Id": str(org_id)}
    for uid in ("loki", "prometheus", "jaeger"):
        if grafana.call("GET", f"/api/datasources/uid/{uid}", headers=headers, missing_ok=True) is not None:
            grafana.call("DELETE", f"/api/datasources/uid/{uid}", headers=headers)


def sync_dashboards(grafana, kube, org_id, team, namespaces, problems):
    """Copies the dashboards of the team's namespaces; removes the copies whose source is gone."""
    headers = {"X-Grafana-Org-Id": str(org_id)}
    copied, complete = set(), True
    for namespace in namespaces:
        selector = urllib.parse.quote(DASHBOARD_LABEL)
        # One unreadable namespace (e.g. its RoleBinding not synced yet) never stops the others.
        try:
            found = kube.call("GET", f"/api/v1/namespaces/{namespace}/configmaps?labelSelector={selector}", missing_ok=True)
        except ApiError as err:
            problems.append(f"team {team}: dashboards of {namespace}: {err}")
            complete = False
            continue
        folder = f"ns-{namespace}"
        for item in (found or {"items": []})["items"]:
            for key, text in sorted((item.get("data") or {}).items()):
                where = f"team {team}: ConfigMap {namespace}/{item['metadata']['name']} key {key}"
                try:
                    dashboard = json.loads(text)
                except json.JSONDecodeError as err:
                    problems.append(f"{where}: not JSON ({err})")
                    continue
                if not isinstance(dashboard, dict) or not isinstance(dashboard.get("uid"), str) or not dashboard["uid"]:
                    problems.append(f"{where}: a dashboard needs a uid")
                    continue
                tags = dashboard.get("tags") or []
                if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                    problems.append(f"{where}: tags must be a list of strings")
                    continue
                if grafana.call("GET", f"/api/folders/{folder}", headers=headers, missing_ok=True) is None:
                    grafana.call("POST", "/api/folders", {"uid": folder, "title": namespace}, headers)
                dashboard = {**dashboard, "id": None, "tags": sorted(set(tags) | {SYNC_TAG})}
                grafana.call("POST", "/api/dashboards/db", {"dashboard": dashboard, "folderUid": folder, "overwrite": True}, headers)
                copied.add(dashboard["uid"])
    # Only after every namespace was read: an unreadable one must not look like removed dashboards.
    if not complete:
        return
    for hit in grafana.call("GET", f"/api/search?type=dash-db&tag={SYNC_TAG}", headers=headers):
        if hit["uid"] not in copied:
            grafana.call("DELETE", f"/api/dashboards/uid/{hit['uid']}", headers=headers)


def org_mapping(teams, admin_groups):
    """Grafana's org_mapping as a JSON list (groups may hold spaces); ':' in a group is escaped."""
    escape = lambda group: group.replace(":", "\\:")
    entries = [f"{escape(g)}:*:Admin" for g in admin_groups]
    for team, info in sorted(teams.items()):
        entries += [f"{escape(g)}:{ORG_PREFIX}{team}:Viewer" for g in info["groups"]]
    return json.dumps(entries)


def main():
    namespace = env("NAMESPACE")
    secret_name, deployment = env("MAPPING_SECRET"), env("GRAFANA_DEPLOYMENT")
    urls = {"loki": env("LOKI_URL"), "prometheus": env("PROMETHEUS_URL"), "jaeger": env("JAEGER_URL")}
    try:
        admin_groups = json.loads(env("PLATFORM_ADMIN_GROUPS"))
    except json.JSONDecodeError:
        admin_groups = None
    if not isinstance(admin_groups, list) or not admin_groups or not all(isinstance(g, str) and g for g in admin_groups):
        sys.exit("grafana-team-sync: PLATFORM_ADMIN_GROUPS must be a non-empty JSON list of group names")
    basic = base64.b64encode(f"{env('GRAFANA_USER')}:{env('GRAFANA_PASSWORD')}".encode()).decode()
    grafana = Api(env("GRAFANA_URL"), f"Basic {basic}")
    with open(env("KUBERNETES_TOKEN_FILE", f"{SERVICE_ACCOUNT}/token"), encoding="utf-8") as handle:
        token = handle.read().strip()
    kube = Api(env("KUBERNETES_URL", "https://kubernetes.default.svc"), f"Bearer {token}", env("KUBERNETES_CA_FILE", f"{SERVICE_ACCOUNT}/ca.crt"))

    problems = []
    teams = read_teams(kube, namespace, problems)
    # The team ConfigMaps are the platform's own (the team chart, from validated team files): one
    # that is wrong is a broken platform, and applying the rest could take a team's access away
    # (a clashing newcomer sorted first would win). Change nothing; the failed job alerts.
    if problems:
        sys.exit("\n".join(f"grafana-team-sync: {p}" for p in problems + ["nothing changed"]))
    orgs = {o["name"]: o["id"] for o in grafana.call("GET", "/api/orgs?perpage=1000")}
    created = []
    for team in sorted(teams):
        org = ORG_PREFIX + team
        if org not in orgs:
            orgs[org] = grafana.call("POST", "/api/orgs", {"name": org})["orgId"]
            created.append(org)
        sync_data_sources(grafana, orgs[org], data_sources(teams[team]["namespaces"], urls))
        sync_dashboards(grafana, kube, orgs[org], team, teams[team]["namespaces"], problems)
    for org, org_id in sorted(orgs.items()):
        if org.startswith(ORG_PREFIX) and org[len(ORG_PREFIX):] not in teams:
            remove_data_sources(grafana, org_id)
            print(f"grafana-team-sync: kept organisation {org} (no team file): no data source, no member but the platform admins")

    mapping = org_mapping(teams, admin_groups)
    secret = kube.call("GET", f"/api/v1/namespaces/{namespace}/secrets/{secret_name}")
    current = base64.b64decode((secret.get("data") or {}).get(MAPPING_KEY, "")).decode()
    if current != mapping:
        patch = {"data": {MAPPING_KEY: base64.b64encode(mapping.encode()).decode()}}
        kube.call("PATCH", f"/api/v1/namespaces/{namespace}/secrets/{secret_name}", patch, content_type="application/merge-patch+json")
        print(f"grafana-team-sync: org mapping now {mapping}")
    if current != mapping or created:
        annotations = {MAPPING_ANNOTATION: hashlib.sha256(mapping.encode()).hexdigest()}
        if created:
            annotations[CREATED_ANNOTATION] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        patch = {"spec": {"template": {"metadata": {"annotations": annotations}}}}
        kube.call("PATCH", f"/apis/apps/v1/namespaces/{namespace}/deployments/{deployment}", patch, content_type="application/merge-patch+json")
        print(f"grafana-team-sync: restarting Grafana (created: {', '.join(created) or 'none'})")
    if problems:
        sys.exit("\n".join(f"grafana-team-sync: {p}" for p in problems))


if __name__ == "__main__":
    try:
        main()
    except ApiError as err:
        sys.exit(f"grafana-team-sync: {err}")
