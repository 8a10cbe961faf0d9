// Argo CD RBAC as Argo CD itself evaluates it: `argocd admin settings rbac can` (the argocd
// binary built from Argo CD's Go module by scripts/install/control-plane.sh) against the
// recorded argocd-rbac-cm plus, like the API server's RBACPolicyEnforcer.EnforceClaims, the
// runtime policy of the application's own AppProject (AppProject.ProjectPoliciesString). The
// subject is the SSO group from the token's `groups` claim (scopes [groups]); the AppProjects
// are the team chart's, rendered by Helm for two teams.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { argocdRbac, type ArgoCdRbac } from "../../bootstrap/argocd/rbac";
import { input, release } from "../bootstrap/helpers";
import { recordedStack, REPO_ROOT } from "../harness/stacks";

const ARGOCD = path.join(REPO_ROOT, ".tools/bin/argocd");
const ADMINS = "holodeck-platform-admins";

interface ProjectRole {
  name: string;
  groups: string[];
  policies: string[];
}
const HELM = path.join(REPO_ROOT, ".tools/bin/helm");

/** The AppProject the team chart (platform-apps/charts/team) renders for a team file. */
function teamProject(team: string, ssoGroup: string, dir: string): { project: string; roles: ProjectRole[] } {
  const values = path.join(dir, `team-${team}.json`);
  writeFileSync(values, JSON.stringify({ team, ssoGroups: [ssoGroup], domains: ["services"], services: [{ name: `${team}-api`, domain: "services" }] }));
  const out = execFileSync(
    HELM,
    [
      "template",
      "team",
      path.join(REPO_ROOT, "platform-apps/charts/team"),
      "-f",
      values,
      "--set",
      "platform.serviceRepoUrlPrefix=https://gitlab.com/holodeck/services",
      "--set",
      "platform.serviceChartRepository=oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
      "--show-only",
      "templates/appproject.yaml",
    ],
    { encoding: "utf8" },
  );
  const project = parse(out) as { metadata: { name: string }; spec: { roles: ProjectRole[] } };
  return { project: project.metadata.name, roles: project.spec.roles };
}

/** Argo CD's AppProject.ProjectPoliciesString, line for line. */
function projectPolicies(project: { project: string; roles: ProjectRole[] }): string {
  return project.roles
    .flatMap((role) => [
      `p, proj:${project.project}:${role.name}, projects, get, ${project.project}, allow`,
      ...role.policies,
      ...role.groups.map((group) => `g, ${group}, proj:${project.project}:${role.name}`),
    ])
    .join("\n");
}

let TEAMS: { a: { project: string; roles: ProjectRole[] }; b: { project: string; roles: ProjectRole[] } };

describe("Argo CD RBAC (argocd admin settings rbac can)", () => {
  let dir: string;
  let rbac: ArgoCdRbac;
  beforeAll(() => {
    if (!existsSync(ARGOCD)) throw new Error(`${ARGOCD} is missing: run scripts/install/control-plane.sh`);
    dir = mkdtempSync(path.join(tmpdir(), "argocd-rbac-"));
    // The command builds a Kubernetes client even with --policy-file; it never calls it.
    writeFileSync(
      path.join(dir, "kubeconfig"),
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "unused", cluster: { server: "https://127.0.0.1:1" } }],
        users: [{ name: "unused", user: { token: "unused" } }],
        contexts: [{ name: "unused", context: { cluster: "unused", user: "unused", namespace: "argocd" } }],
        "current-context": "unused",
      }),
    );
    TEAMS = { a: teamProject("a", "holodeck-team-a", dir), b: teamProject("b", "holodeck-team-b", dir) };
    rbac = input<ArgoCdRbac>(release(recordedStack("staging-eu-west-1"), "argo-cd"), "values.configs.rbac");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Whether `group` may `action` on `resource` `object` (`<project>/<app>`), the app's project policy loaded at runtime. */
  function can(group: string, action: string, resource: string, object: string): boolean {
    const project = Object.values(TEAMS).find((t) => object.startsWith(`${t.project}/`));
    const csv = [rbac["policy.csv"].trimEnd(), ...(project ? [projectPolicies(project)] : [])].join("\n") + "\n";
    const file = path.join(dir, `rbac-${group}-${action}-${resource}-${object.replace(/\W/g, "_")}.yaml`);
    writeFileSync(file, stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "argocd-rbac-cm" }, data: { ...rbac, "policy.csv": csv } }));
    try {
      const out = execFileSync(ARGOCD, ["admin", "settings", "rbac", "can", group, action, resource, object, "--policy-file", file], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: path.join(dir, "kubeconfig") },
      });
      return out.trim() === "Yes";
    } catch (err) {
      // Exit code 1 with "No" is a denial; anything else is a broken check.
      const out = (err as { stdout?: string }).stdout?.trim();
      if (out === "No") return false;
      throw err;
    }
  }

  it("the recorded policy is the one argocdRbac derives from holodeck:platformAdminGroups", () => {
    expect(rbac).toEqual(argocdRbac([ADMINS]));
    expect(rbac["policy.default"]).toBe("");
  });

  it("a team A member can get, sync and read logs of team A's apps", () => {
    expect(can("holodeck-team-a", "get", "applications", "team-a/orders")).toBe(true);
    expect(can("holodeck-team-a", "sync", "applications", "team-a/orders")).toBe(true);
    expect(can("holodeck-team-a", "get", "logs", "team-a/orders")).toBe(true);
  });

  it("a team A member can neither delete nor exec into team A's apps", () => {
    expect(can("holodeck-team-a", "delete", "applications", "team-a/orders")).toBe(false);
    expect(can("holodeck-team-a", "create", "exec", "team-a/orders")).toBe(false);
  });

  it("a team A member cannot get, sync or read logs of team B's apps", () => {
    expect(can("holodeck-team-a", "get", "applications", "team-b/payments")).toBe(false);
    expect(can("holodeck-team-a", "sync", "applications", "team-b/payments")).toBe(false);
    expect(can("holodeck-team-a", "get", "logs", "team-b/payments")).toBe(false);
  });

  it("an SSO user in no team sees no application (no default role)", () => {
    expect(can("someone-else", "get", "applications", "team-a/orders")).toBe(false);
    expect(can("someone-else", "get", "applications", "platform/grafana")).toBe(false);
  });

  it("platform admins are admins of every project", () => {
    expect(can(ADMINS, "sync", "applications", "team-b/payments")).toBe(true);
    expect(can(ADMINS, "delete", "applications", "platform/grafana")).toBe(true);
    expect(can(ADMINS, "update", "projects", "team-a")).toBe(true);
  });
});
