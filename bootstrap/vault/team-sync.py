#!/usr/bin/env python3
"""Vault team sync: services-root team files -> Vault policies and external groups.

For every teams/<team>.json (schema-valid, checked by `holodeck services validate`):
  - policy `team-<team>`: read/write secret/<domain>/<service> (and below) of the team's own
    services, and its alert receiver secret <kv>/<ALERTS_SECRET_PREFIX>/<team> (read by the team
    chart's ExternalSecret in monitoring: platform-apps/charts/team/templates/alerting.yaml);
  - external group `team-<team>` with that policy, one alias per SSO group on the OIDC mount,
    so a person logging in with the `groups` claim gets exactly their teams' policies.
Policies and groups named team-* whose team file is gone are deleted. Standard library only.

Env: VAULT_ADDR, VAULT_CACERT (optional), TEAMS_DIR, OIDC_AUTH_PATH, KV_MOUNT, ALERTS_SECRET_PREFIX, and either
VAULT_TOKEN or KUBERNETES_AUTH_PATH + TEAM_SYNC_ROLE + VAULT_JWT_FILE (Kubernetes login).
"""
import glob
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

PREFIX = "team-"


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"team-sync: environment variable {name} is required")
    return value


class Vault:
    def __init__(self, addr, cacert):
        self.addr = addr.rstrip("/")
        self.context = ssl.create_default_context(cafile=cacert) if cacert else None
        self.token = None

    def call(self, method, path, body=None, missing_ok=False):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.addr}/v1/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("X-Vault-Token", self.token)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                text = response.read().decode()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as err:
            if err.code == 404 and missing_ok:
                return None
            sys.exit(f"team-sync: {method} {path}: HTTP {err.code} {err.read().decode().strip()}")


def policy(team, kv, alerts_prefix):
    """The team's policy: its services' secrets, and its alert receiver secret."""
    prefixes = [f"{s['domain']}/{s['name']}" for s in team["services"]] + [f"{alerts_prefix}/{team['team']}"]
    blocks = []
    for prefix in prefixes:
        for suffix in ("", "/*"):
            blocks.append(f'path "{kv}/data/{prefix}{suffix}" {{\n  capabilities = ["create", "read", "update", "patch", "delete"]\n}}')
            blocks.append(f'path "{kv}/metadata/{prefix}{suffix}" {{\n  capabilities = ["read", "list", "delete"]\n}}')
            blocks.append(f'path "{kv}/delete/{prefix}{suffix}" {{\n  capabilities = ["update"]\n}}')
    # Browsing in the UI: the names in the team's own domains (each domain has exactly one team).
    for domain in sorted(set(team["domains"])):
        blocks.append(f'path "{kv}/metadata/{domain}/" {{\n  capabilities = ["list"]\n}}')
    return "\n".join(blocks) + "\n"


def read_teams(folder):
    teams = {}
    for file in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(file, encoding="utf-8") as handle:
            team = json.load(handle)
        stem = os.path.basename(file)[: -len(".json")]
        if team.get("team") != stem:
            sys.exit(f"team-sync: {file}: team is {team.get('team')!r}, expected {stem!r} (the file name)")
        teams[stem] = team
    owners = {}
    for name, team in teams.items():
        for group in team["ssoGroups"]:
            if group in owners:
                sys.exit(f"team-sync: SSO group {group!r} is in teams {owners[group]!r} and {name!r}; a group alias belongs to one team")
            owners[group] = name
    return teams


def main():
    vault = Vault(env("VAULT_ADDR"), os.environ.get("VAULT_CACERT"))
    kv = env("KV_MOUNT")
    oidc_path = env("OIDC_AUTH_PATH")
    alerts_prefix = env("ALERTS_SECRET_PREFIX")
    if os.environ.get("VAULT_TOKEN"):
        vault.token = os.environ["VAULT_TOKEN"]
    else:
        with open(env("VAULT_JWT_FILE"), encoding="utf-8") as handle:
            jwt = handle.read().strip()
        login = vault.call("POST", f"auth/{env('KUBERNETES_AUTH_PATH')}/login", {"role": env("TEAM_SYNC_ROLE"), "jwt": jwt})
        vault.token = login["auth"]["client_token"]
    teams = read_teams(env("TEAMS_DIR"))
    accessor = vault.call("GET", "sys/auth")["data"][f"{oidc_path}/"]["accessor"]

    for name, team in sorted(teams.items()):
        group_name = PREFIX + name
        vault.call("PUT", f"sys/policies/acl/{group_name}", {"policy": policy(team, kv, alerts_prefix)})
        vault.call("POST", f"identity/group/name/{group_name}", {"type": "external", "policies": [group_name], "metadata": {"team": name}})
        group = vault.call("GET", f"identity/group/name/{group_name}")["data"]
        existing = {a["name"]: a["id"] for a in (group.get("alias") and [group["alias"]] or []) if a.get("name")}
        # Vault gives an external group one alias per auth mount: a team with several SSO groups
        # gets one member group per further SSO group.
        wanted = team["ssoGroups"]
        for alias, alias_id in existing.items():
            if alias != wanted[0]:
                vault.call("DELETE", f"identity/group-alias/id/{alias_id}")
        if wanted[0] not in existing:
            vault.call("POST", "identity/group-alias", {"name": wanted[0], "mount_accessor": accessor, "canonical_id": group["id"]})
        for index, extra in enumerate(wanted[1:], start=2):
            sub_name = f"{group_name}--{index}"
            vault.call("POST", f"identity/group/name/{sub_name}", {"type": "external", "policies": [group_name], "metadata": {"team": name}})
            sub = vault.call("GET", f"identity/group/name/{sub_name}")["data"]
            current = sub.get("alias") or {}
            if current.get("name") and current["name"] != extra:
                vault.call("DELETE", f"identity/group-alias/id/{current['id']}")
                current = {}
            if not current.get("name"):
                vault.call("POST", "identity/group-alias", {"name": extra, "mount_accessor": accessor, "canonical_id": sub["id"]})
        print(f"team-sync: {group_name}: {len(team['services'])} services, SSO groups {', '.join(wanted)}")

    wanted_groups = {PREFIX + n for n in teams}
    wanted_groups |= {f"{PREFIX}{n}--{i}" for n, t in teams.items() for i in range(2, len(t["ssoGroups"]) + 1)}
    listed = vault.call("LIST", "identity/group/name", missing_ok=True) or {"data": {"keys": []}}
    for group_name in listed["data"]["keys"]:
        if group_name.startswith(PREFIX) and group_name not in wanted_groups:
            vault.call("DELETE", f"identity/group/name/{group_name}")
            print(f"team-sync: deleted group {group_name}")
    policies = vault.call("LIST", "sys/policies/acl", missing_ok=True) or {"data": {"keys": []}}
    for policy_name in policies["data"]["keys"]:
        if policy_name.startswith(PREFIX) and policy_name[len(PREFIX):] not in teams:
            vault.call("DELETE", f"sys/policies/acl/{policy_name}")
            print(f"team-sync: deleted policy {policy_name}")


if __name__ == "__main__":
    main()
