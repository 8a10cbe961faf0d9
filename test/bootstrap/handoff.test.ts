// The handoff contract per stack (contracts §2-§4): cluster Secret labels and annotations
// exactly as gitops-bridge.ts lists them, the AppProjects, the root Application and the
// services ApplicationSet.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { APP_SYNC_RETRY, type SyncRetry } from "../../bootstrap/handoff/services-appset";
import { CLUSTER_SECRET_ANNOTATIONS, CLUSTER_SECRET_LABELS, PLATFORM_CHART_REPOS, PLATFORM_ROOT_PATH } from "../../bootstrap/handoff/gitops-bridge";
import { recordedStack, REPO_ROOT, stackConfig, type StackRecording } from "../harness/stacks";
import { FACTS, STACKS, at, input, k8sObject } from "./helpers";

const PLATFORM_REPO = "https://gitlab.com/holodeck/holodeck.git";

describe.each(STACKS)("%s handoff to Argo CD", (stack) => {
  const facts = FACTS[stack];
  const production = facts.environment === "production";
  /** Only the registry of record's cluster runs the Crossplane IAM provider and the per-service push roles. */
  const registryOfRecord = (JSON.parse(stackConfig(stack)["holodeck:registry"] ?? "{}") as { source?: boolean }).source === true;
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it("writes the in-cluster cluster Secret with exactly the gitops-bridge labels", () => {
    const secret = k8sObject(rec, "Secret", "in-cluster");
    expect(input(secret, "metadata.namespace")).toBe("argocd");
    expect(input(secret, "stringData.server")).toBe("https://kubernetes.default.svc");
    const labels = input<Record<string, string>>(secret, "metadata.labels");
    expect(Object.keys(labels).sort()).toEqual(["argocd.argoproj.io/secret-type", ...CLUSTER_SECRET_LABELS].sort());
    expect(labels["argocd.argoproj.io/secret-type"]).toBe("cluster");
    expect([labels.environment, labels.region, labels.cluster_name]).toEqual([facts.environment, facts.region, facts.clusterName]);
    for (const key of CLUSTER_SECRET_LABELS.filter((l) => l.startsWith("enable_") && l !== "enable_ecr_push_roles"))
      expect([key, labels[key]]).toEqual([key, "true"]);
    expect(labels.enable_ecr_push_roles).toBe(String(registryOfRecord));
  });

  it("writes every gitops-bridge annotation, none extra, with this stack's values", () => {
    const annotations = input<Record<string, string>>(k8sObject(rec, "Secret", "in-cluster"), "metadata.annotations");
    expect(Object.keys(annotations).sort()).toEqual([...CLUSTER_SECRET_ANNOTATIONS].sort());
    expect(annotations).toMatchObject({
      aws_region: facts.region,
      aws_account_id: facts.accountId,
      cluster_name: facts.clusterName,
      environment: facts.environment,
      domain: facts.domain,
      platform_repo_url: PLATFORM_REPO,
      platform_repo_revision: facts.platformRepoRevision,
      services_repo_url: "https://gitlab.com/holodeck/services-root.git",
      letsencrypt_issuer: "letsencrypt-prod",
      vault_addr: "https://vault-active.vault.svc:8200",
      oidc_issuer_url: "https://sso.holodeck.dev/realms/holodeck",
      loki_bucket_name: `${facts.clusterName}-${facts.accountId}-loki`,
    });
    expect(annotations.aws_vpc_id).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(annotations.crossplane_provider_aws_role_arn).toMatch(new RegExp(`^arn:aws:iam::${facts.accountId}:role/`));
    expect(annotations.loki_role_arn).toMatch(new RegExp(`^arn:aws:iam::${facts.accountId}:role/`));
    expect(annotations.loki_role_arn).not.toBe(annotations.crossplane_provider_aws_role_arn);
    expect(annotations.rds_security_group_id).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(annotations.rds_subnet_group_name.length).toBeGreaterThan(0);
    expect(annotations.crossplane_provider_aws_iam_role_arn).toMatch(registryOfRecord ? new RegExp(`^arn:aws:iam::${facts.accountId}:role/`) : /^$/);
    expect(annotations.crossplane_provider_aws_iam_role_arn).not.toBe(annotations.crossplane_provider_aws_role_arn);
    for (const [key, value] of Object.entries(annotations).filter(([k]) => k !== "crossplane_provider_aws_iam_role_arn")) {
      expect([key, typeof value, value.length > 0]).toEqual([key, "string", true]);
    }
  });

  it("has no shared services project: each service syncs in its team's project (made by the team chart)", () => {
    expect(rec.byType("kubernetes:argoproj.io/v1alpha1:AppProject").map((p) => (p.inputs.metadata as { name: string }).name)).toEqual(["platform"]);
  });

  it("lets the platform project read the platform repo, exactly the chart repos of platform-apps and services-root (team files)", () => {
    expect(input(k8sObject(rec, "AppProject", "platform"), "spec.sourceRepos")).toEqual([
      PLATFORM_REPO,
      ...PLATFORM_CHART_REPOS,
      "https://gitlab.com/holodeck/services-root.git",
    ]);
  });

  it("syncs platform Applications as Argo CD's application controller (sync impersonation is on)", () => {
    expect(input(k8sObject(rec, "AppProject", "platform"), "spec.destinationServiceAccounts")).toEqual([
      { server: "https://kubernetes.default.svc", namespace: "*", defaultServiceAccount: "argocd:argocd-application-controller" },
    ]);
  });

  it("roots platform-apps (a kustomization) at the configured revision, cascading on delete", () => {
    const root = k8sObject(rec, "Application", "platform-root");
    expect(input(root, "metadata.finalizers")).toEqual(["resources-finalizer.argocd.argoproj.io"]);
    expect(input(root, "spec.project")).toBe("platform");
    expect(input(root, "spec.source")).toEqual({
      repoURL: PLATFORM_REPO,
      targetRevision: facts.platformRepoRevision,
      path: PLATFORM_ROOT_PATH,
    });
    expect(input(root, "spec.syncPolicy.automated")).toEqual({ prune: true, selfHeal: true });
    expect(input(root, "spec.syncPolicy.retry")).toEqual({ limit: 20, backoff: { duration: "15s", factor: 2, maxDuration: "5m" } });
  });

  it("retries service syncs for longer than the platform apps retry theirs (issue 19)", () => {
    const template = input<Record<string, unknown>>(k8sObject(rec, "ApplicationSet", "services"), "spec.template");
    expect(at(template, "spec.syncPolicy.retry")).toEqual({ limit: 20, backoff: { duration: "15s", factor: 2, maxDuration: "5m" } });
    // What every platform ApplicationSet shares (platform-apps/applicationsets/kustomization.yaml).
    const shared = parse(readFileSync(path.join(REPO_ROOT, PLATFORM_ROOT_PATH, "every-applicationset.patch.yaml"), "utf8")) as Record<string, unknown>;
    const platform = at<SyncRetry>(shared, "spec.template.spec.syncPolicy.retry");
    expect(retryWindowSeconds(platform)).toBe(3930);
    expect(retryWindowSeconds(APP_SYNC_RETRY)).toBe(5250);
  });

  it("generates services from <environment>/*.json with goTemplate and missingkey=error", () => {
    const spec = input<Record<string, unknown>>(k8sObject(rec, "ApplicationSet", "services"), "spec");
    expect(spec.goTemplate).toBe(true);
    expect(spec.goTemplateOptions).toEqual(["missingkey=error"]);
    expect(spec.generators).toEqual([
      { git: { repoURL: "https://gitlab.com/holodeck/services-root.git", revision: "refs/heads/published", files: [{ path: `${facts.environment}/*.json` }] } },
    ]);
    expect(at(spec, "template.spec.project")).toBe("team-{{.team}}");
    expect(at(spec, "template.spec.syncPolicy")).toEqual({ automated: { prune: true, selfHeal: true }, retry: APP_SYNC_RETRY });
    expect(at(spec, "syncPolicy")).toEqual({ preserveResourcesOnDeletion: production });
    // A template-written resources finalizer would delete a production service with its file.
    expect(at<Record<string, unknown>>(spec, "template.metadata").finalizers).toEqual(production ? undefined : ["resources-finalizer.argocd.argoproj.io"]);
    expect(at(spec, "template.spec.source.helm.parameters")).toContainEqual({
      name: "global.imageRegistry",
      value: `${facts.accountId}.dkr.ecr.${facts.region}.amazonaws.com`,
    });
  });
});

const seconds = (duration: string): number => {
  const match = /^(\d+)([sm])$/.exec(duration);
  if (!match) throw new Error(`unexpected Argo CD duration ${duration}`);
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
};

/** How long Argo CD keeps retrying a failed sync: the sum of every backoff wait (retry n waits duration x factor^n). */
function retryWindowSeconds(retry: SyncRetry): number {
  let total = 0;
  for (let attempt = 1; attempt <= retry.limit; attempt++) {
    total += Math.min(seconds(retry.backoff.duration) * retry.backoff.factor ** attempt, seconds(retry.backoff.maxDuration));
  }
  return total;
}
