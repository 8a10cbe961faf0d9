#!/usr/bin/env python3
"""Vault team sync: services-root team files -> Vault policies and external groups.

For every teams/<team>.json (schema-valid, checked by `holodeck services validate`):
  - policy `team-<team>`: read/write secret/<domain>/<service> (and below) of the team's own
    services, and its alert receiver secret <kv>/<ALERTS_SECRET_PREFIX>/<team> (read by the team
    chart's ExternalSecret in monitoring: platform-apps/charts/team/templates/alerting.yaml);
  - external group `team-<team>` with that policy, one alias per SSO group on the OIDC mount,
    so a person logging in with the `groups` claim gets exactly their teams' policies.
Policies and groups named team-* whose team file is gone are deleted.
NATS (bootstrap/vault/nats-accounts.ts): each service gets a NATS user, its password generated
once into <kv>/<NATS_CREDENTIALS_PREFIX>/<service>; each team gets a NATS account holding its
services' users, written as one accounts file into <kv>/<NATS_ACCOUNTS_SECRET> (only when it
changed, and only while the teams' JetStream fits the store); credentials of services no longer
in any team file are soft-deleted. No team file at all is refused. Standard library only.

Env: VAULT_ADDR, VAULT_CACERT (optional), TEAMS_DIR, OIDC_AUTH_PATH, KV_MOUNT, ALERTS_SECRET_PREFIX,
SERVICE_DOMAINS (comma-separated), NATS_CREDENTIALS_PREFIX, NATS_ACCOUNTS_SECRET, NATS_ACCOUNTS_KEY,
NATS_TEAM_JETSTREAM and NATS_TEAM_LIMITS (JSON), NATS_STORE_BYTES, and
either VAULT_TOKEN or KUBERNETES_AUTH_PATH + TEAM_SYNC_ROLE + VAULT_JWT_FILE (Kubernetes login).
"""
import glob
import json
import os
import re
import secrets
import ssl
import sys
import urllib.error
import urllib.request

PREFIX = "team-"
# Team and service names are DNS labels (team.schema.json); checked again here because they are
# written into the NATS server's configuration. Passwords are only ever the sync's own.
NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
PASSWORD = re.compile(r"^[A-Za-z0-9_-]{43}$")


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


def read_teams(folder, domains):
    teams = {}
    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    # No team file is a broken checkout, never a wish to delete every team's access and NATS users.
    if not files:
        sys.exit(f"team-sync: no team file in {folder}; refusing to remove every team's policies and NATS users")
    for file in files:
        with open(file, encoding="utf-8") as handle:
            team = json.load(handle)
        stem = os.path.basename(file)[: -len(".json")]
        if team.get("team") != stem:
            sys.exit(f"team-sync: {file}: team is {team.get('team')!r}, expected {stem!r} (the file name)")
        teams[stem] = team
    services = {}
    for name, team in teams.items():
        for label in [name] + [s["name"] for s in team["services"]]:
            if not isinstance(label, str) or not NAME.match(label):
                sys.exit(f"team-sync: teams/{name}.json: {label!r} is not a DNS label (a-z, 0-9, '-')")
        for domain in team["domains"] + [s["domain"] for s in team["services"]]:
            if domain not in domains:
                sys.exit(f"team-sync: teams/{name}.json: domain {domain!r} is not one of {', '.join(domains)}")
        for service in team["services"]:
            if service["name"] in services:
                sys.exit(f"team-sync: service {service['name']!r} is in teams {services[service['name']]!r} and {name!r}; a service belongs to one team")
            services[service["name"]] = name
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
    nats = {name: env(name) for name in ("NATS_CREDENTIALS_PREFIX", "NATS_ACCOUNTS_SECRET", "NATS_ACCOUNTS_KEY", "NATS_TEAM_JETSTREAM", "NATS_TEAM_LIMITS", "NATS_STORE_BYTES")}
    if os.environ.get("VAULT_TOKEN"):
        vault.token = os.environ["VAULT_TOKEN"]
    else:
        with open(env("VAULT_JWT_FILE"), encoding="utf-8") as handle:
            jwt = handle.read().strip()
        login = vault.call("POST", f"auth/{env('KUBERNETES_AUTH_PATH')}/login", {"role": env("TEAM_SYNC_ROLE"), "jwt": jwt})
        vault.token = login["auth"]["client_token"]
    teams = read_teams(env("TEAMS_DIR"), env("SERVICE_DOMAINS").split(","))
    # Each part runs even when the other fails (e.g. NATS must not wait on an identity API error).
    failures = []
    for part, run in (("NATS", lambda: sync_nats(vault, teams, kv, nats)), ("policies", lambda: sync_policies(vault, teams, kv, oidc_path, alerts_prefix))):
        try:
            run()
        except SystemExit as stop:
            failures.append(f"{part}: {stop.code}")
    if failures:
        sys.exit("\n".join(failures))


def sync_policies(vault, teams, kv, oidc_path, alerts_prefix):
    """Vault: one team-<team> policy and external group per team file; those of removed teams go."""
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


def nats_accounts(teams, passwords, jetstream, limits):
    """The NATS accounts file: one account per team with services, one user per service."""
    lines = ["# Generated by the Vault team sync from services-root teams/*.json; edits are overwritten."]
    for name, team in sorted(teams.items()):
        users = sorted(s["name"] for s in team["services"])
        if not users:
            continue
        lines.append(f'"{PREFIX}{name}": {{')
        lines.append(f'  "jetstream": {json.dumps(jetstream, sort_keys=True)},')
        lines.append(f'  "limits": {json.dumps(limits, sort_keys=True)},')
        lines.append('  "users": [')
        lines.extend(f'    {{"user": "{user}", "password": "{passwords[user]}"}},' for user in users)
        lines.append("  ]")
        lines.append("}")
    return "\n".join(lines) + "\n"


def kv_data(vault, path):
    """The data of a kv-v2 secret, {} when it does not exist (or its latest version is deleted)."""
    current = vault.call("GET", path, missing_ok=True)
    return ((current or {}).get("data") or {}).get("data") or {}


def sync_nats(vault, teams, kv, settings):
    prefix, accounts_path, key = settings["NATS_CREDENTIALS_PREFIX"], settings["NATS_ACCOUNTS_SECRET"], settings["NATS_ACCOUNTS_KEY"]
    jetstream, limits = json.loads(settings["NATS_TEAM_JETSTREAM"]), json.loads(settings["NATS_TEAM_LIMITS"])
    store, accounts = int(settings["NATS_STORE_BYTES"]), len([t for t in teams.values() if t["services"]])
    # A standalone server reserves every account's max_file and refuses to start past its store.
    if accounts * jetstream["max_file"] > store:
        sys.exit(
            f"team-sync: {accounts} teams x {jetstream['max_file']} bytes of JetStream each exceed the NATS store of {store} bytes; "
            "accounts file not written: raise the store (platform-apps/values/nats) or lower NATS_TEAM_JETSTREAM (bootstrap/vault/nats-accounts.ts)"
        )
    passwords = {}
    for service in sorted(s["name"] for t in teams.values() for s in t["services"]):
        password = kv_data(vault, f"{kv}/data/{prefix}/{service}").get("password", "")
        if not isinstance(password, str) or not PASSWORD.match(password):
            password = secrets.token_urlsafe(32)
            vault.call("POST", f"{kv}/data/{prefix}/{service}", {"data": {"user": service, "password": password}})
            print(f"team-sync: NATS user {service}: password generated")
        passwords[service] = password
    text = nats_accounts(teams, passwords, jetstream, limits)
    if kv_data(vault, f"{kv}/data/{accounts_path}").get(key) != text:
        vault.call("POST", f"{kv}/data/{accounts_path}", {"data": {key: text}})
        print(f"team-sync: NATS accounts written: {len([t for t in teams.values() if t['services']])} teams, {len(passwords)} users")
    listed = vault.call("LIST", f"{kv}/metadata/{prefix}", missing_ok=True) or {"data": {"keys": []}}
    for service in listed["data"]["keys"]:
        # A soft delete (the versions stay, `vault kv undelete` brings one back); skip one already deleted.
        if service not in passwords and not service.endswith("/") and vault.call("GET", f"{kv}/data/{prefix}/{service}", missing_ok=True):
            vault.call("DELETE", f"{kv}/data/{prefix}/{service}")
            print(f"team-sync: deleted NATS user {service}")


if __name__ == "__main__":
    main()
