// The API server refuses what it must (issue 13, scenario 4), on a real kube-apiserver with
// EKS's admission plugins and RBAC + Node authorization:
// - Pod Security admission refuses a pod that breaks `restricted` in a namespace labelled the way
//   the services ApplicationSet labels every service namespace (and admits a restricted pod,
//   which the real scheduler places on a workload node);
// - RBAC, asked with SubjectAccessReviews: every ServiceAccount the platform creates (the stack's
//   recorded objects, platform-apps/manifests, Argo CD's own) may do what it needs and no more.
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { PLATFORM_ADMINS_VIEW_BINDING } from "../../bootstrap/people/platform-admins-view";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMESPACE_LABELS } from "../../bootstrap/handoff/services-appset";
import { recordedStack } from "../harness/stacks";
import {
  argoCdInstallObjects,
  argoCdSettingsOf,
  ControlPlane,
  bootstrapCrdsFor,
  installCrds,
  nodeGroupsOf,
  recordedConfigGroupCrds,
  recordedKubernetesObjects,
  uniqueCrds,
  REPO,
  simulatedNodes,
  stackRegion,
  waitFor,
  type KubeObject,
} from "./harness";

const STACK = "staging-eu-west-1";
const SERVICE_NAMESPACE = "refusals-example";

let plane: ControlPlane;
let recorded: KubeObject[];

beforeAll(async () => {
  const recording = recordedStack(STACK);
  plane = await ControlPlane.start({ nodes: simulatedNodes(nodeGroupsOf(recording), stackRegion(recording)) });
  recorded = recordedKubernetesObjects(recording);
  await plane.kubectl.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } }]);
  const argo = argoCdInstallObjects(argoCdSettingsOf(recording));
  await installCrds(plane, [
    ...argo.filter((o) => o.kind === "CustomResourceDefinition"),
    ...uniqueCrds([...recordedConfigGroupCrds(recording), ...bootstrapCrdsFor(recorded)]),
  ]);
  await plane.kubectl.apply(argo.filter((o) => o.kind !== "CustomResourceDefinition"));
  await plane.kubectl.apply(recorded.filter((o) => o.kind === "Namespace"));
  await plane.kubectl.apply(recorded.filter((o) => o.kind !== "Namespace"));
}, 300_000);

afterAll(async () => {
  await plane?.stop();
});

/** The labels every service namespace carries (the team chart writes them from this constant). */
function serviceNamespaceLabels(): Record<string, string> {
  return SERVICE_NAMESPACE_LABELS;
}

const pod = (name: string, securityContext: Record<string, unknown>, containerSecurity: Record<string, unknown>): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: SERVICE_NAMESPACE },
  spec: { securityContext, containers: [{ name: "app", image: "registry.example/app:1", securityContext: containerSecurity }] },
});

describe("Pod Security admission in a service namespace", () => {
  it("the namespace enforces restricted, as the team chart labels every service namespace", () => {
    expect(serviceNamespaceLabels()["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("refuses a pod that breaks restricted, naming every violation", async () => {
    await plane.kubectl.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: SERVICE_NAMESPACE, labels: serviceNamespaceLabels() } }]);
    const result = await plane.kubectl.run(["create", "-f", "-"], JSON.stringify(pod("root-pod", {}, { privileged: true })));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('pods "root-pod" is forbidden: violates PodSecurity "restricted:latest"');
    for (const violation of [
      'privileged (container "app" must not set securityContext.privileged=true)',
      "allowPrivilegeEscalation != false",
      "unrestricted capabilities",
      "runAsNonRoot != true",
      "seccompProfile",
    ]) {
      expect(result.stderr).toContain(violation);
    }
  });

  it("admits a restricted pod, which the scheduler places on a workload node (system nodes are tainted)", async () => {
    const restricted = pod(
      "restricted-pod",
      { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
      { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    );
    await plane.kubectl.ok(["create", "-f", "-"], JSON.stringify(restricted));
    const node = await waitFor(
      "restricted-pod to be scheduled",
      async () => (await plane.kubectl.get<{ spec: { nodeName?: string } }>("pod", "restricted-pod", SERVICE_NAMESPACE))?.spec.nodeName,
      60_000,
    );
    const nodeObject = await plane.kubectl.get<KubeObject>("node", node);
    expect(nodeObject?.metadata.labels?.["holodeck.dev/node-group"]).toBe("workload");
  });
});

/** One permission question: verb on resource (group/resource) in namespace ("" = cluster-wide). */
interface Ask {
  verb: string;
  resource: string;
  group?: string;
  namespace?: string;
  subresource?: string;
}

interface AccountRights {
  account: string;
  namespace: string;
  why: string;
  allowed: Ask[];
  denied: Ask[];
}

/** Every account: read Secrets (own namespace and cluster-wide), create Pods, read ConfigMaps, mint tokens, change RBAC. */
const NOTHING_BEYOND_DEFAULTS = (namespace: string): Ask[] => [
  { verb: "get", resource: "secrets", namespace },
  { verb: "list", resource: "secrets" },
  { verb: "create", resource: "pods", namespace },
  { verb: "get", resource: "configmaps", namespace },
  { verb: "create", resource: "serviceaccounts", subresource: "token", namespace },
  { verb: "create", resource: "rolebindings", group: "rbac.authorization.k8s.io", namespace },
  { verb: "create", resource: "tokenreviews", group: "authentication.k8s.io" },
];
/** What every authenticated identity may do (system:basic-user): ask about its own rights. */
const DEFAULTS: Ask[] = [{ verb: "create", resource: "selfsubjectaccessreviews", group: "authorization.k8s.io" }];

/** The Grafana team sync's account (platform-apps/manifests/grafana). */
const GRAFANA_TEAM_SYNC = "monitoring/grafana-team-sync";

/** ServiceAccounts in platform-apps/manifests (created by Argo CD from the platform repo). */
function platformManifestAccounts(): KubeObject[] {
  const root = path.join(REPO, "platform-apps", "manifests");
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : f.endsWith(".yaml") ? [path.join(dir, f)] : []));
  return files(root)
    .flatMap((f) => parseAllDocuments(readFileSync(f, "utf8")).map((d) => d.toJS() as KubeObject | null))
    .filter((o): o is KubeObject => o?.kind === "ServiceAccount");
}

/** Asks every question in one request (a List of SubjectAccessReviews); true where allowed. */
async function can(questions: { account: string; namespace: string; ask: Ask }[]): Promise<boolean[]> {
  const reviews = questions.map(({ account, namespace, ask }) => ({
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: `system:serviceaccount:${namespace}:${account}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
      resourceAttributes: {
        verb: ask.verb,
        resource: ask.resource,
        group: ask.group ?? "",
        namespace: ask.namespace ?? "",
        subresource: ask.subresource ?? "",
      },
    },
  }));
  return answered(reviews);
}

/** Creates the SubjectAccessReviews in one request (a List); true where allowed. */
async function answered(reviews: unknown[]): Promise<boolean[]> {
  const out = await plane.kubectl.ok(["create", "-f", "-", "-o", "json"], JSON.stringify({ apiVersion: "v1", kind: "List", items: reviews }));
  // kubectl prints one JSON document per created object.
  const answers = JSON.parse(`[${out.trim().replace(/\n}\n{/g, "\n},\n{")}]`) as { status?: { allowed?: boolean } }[];
  if (answers.length !== reviews.length) throw new Error(`asked ${reviews.length} SubjectAccessReviews, got ${answers.length} answers`);
  return answers.map((r) => r.status?.allowed === true);
}

/** Expects each account's allowed asks to be allowed and its denied asks denied, naming each failure. */
async function expectRights(rights: { account: string; namespace: string; allowed: Ask[]; denied: Ask[] }[]): Promise<void> {
  const questions = rights.flatMap((r) => [...r.allowed.map((ask) => ({ ...r, ask, want: true })), ...r.denied.map((ask) => ({ ...r, ask, want: false }))]);
  const answers = await can(questions);
  const wrong = questions
    .filter((q, i) => answers[i] !== q.want)
    .map((q) => `${q.namespace}/${q.account} ${q.want ? "may not" : "may"} ${JSON.stringify(q.ask)}`);
  expect(wrong).toEqual([]);
}

describe("RBAC of every ServiceAccount the platform creates (SubjectAccessReviews)", () => {
  it("the platform's own accounts hold no Kubernetes rights: they are identities for AWS (IRSA) and Vault only, but the Grafana team sync", async () => {
    const all = [...recorded.filter((o) => o.kind === "ServiceAccount"), ...platformManifestAccounts()];
    // The one account with rights of its own (platform-apps/manifests/grafana, the team chart):
    // tenancy.test.ts asks the API server exactly what its token may and may not do.
    const accounts = all.filter((a) => `${a.metadata.namespace}/${a.metadata.name}` !== GRAFANA_TEAM_SYNC);
    // The platform ships no Role, ClusterRole or binding of its own for them: its one binding is
    // for people, the platform admins' SSO groups (read-only view; bootstrap/people/).
    const rbac = recorded.filter((o) => /Role/.test(o.kind)) as (KubeObject & { subjects?: { kind: string; name: string }[] })[];
    expect(rbac.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`ClusterRoleBinding/${PLATFORM_ADMINS_VIEW_BINDING}`]);
    expect(rbac.flatMap((o) => o.subjects ?? []).filter((subject) => subject.kind !== "Group")).toEqual([]);
    expect(all.map((a) => `${a.metadata.namespace}/${a.metadata.name}`).sort()).toEqual(
      [
        "argocd/ecr-chart-pull",
        GRAFANA_TEAM_SYNC,
        "istio-system/vault-secrets",
        "monitoring/vault-secrets",
        "nats/vault-secrets",
        "observability/vault-secrets",
        "vault/vault-init",
        "vault/vault-snapshot",
        "vault/vault-team-sync",
      ].sort(),
    );
    await expectRights(
      accounts.map((sa) => ({
        account: sa.metadata.name,
        namespace: sa.metadata.namespace ?? "",
        allowed: DEFAULTS,
        denied: NOTHING_BEYOND_DEFAULTS(sa.metadata.namespace ?? ""),
      })),
    );
  });

  // Argo CD's own accounts: the upstream RBAC of the pinned version, as the chart installs it with the recorded values.
  const ARGO: AccountRights[] = [
    {
      account: "argocd-application-controller",
      namespace: "argocd",
      why: "installs every platform app: any kind, cluster-wide (CRDs, ClusterRoles, Secrets)",
      allowed: [
        { verb: "create", resource: "customresourcedefinitions", group: "apiextensions.k8s.io" },
        { verb: "create", resource: "clusterroles", group: "rbac.authorization.k8s.io" },
        { verb: "list", resource: "secrets" },
        { verb: "delete", resource: "deployments", group: "apps", namespace: "monitoring" },
      ],
      denied: [],
    },
    {
      account: "argocd-applicationset-controller",
      namespace: "argocd",
      why: "writes Applications and reads cluster Secrets in argocd only",
      allowed: [
        { verb: "create", resource: "applications", group: "argoproj.io", namespace: "argocd" },
        { verb: "list", resource: "secrets", namespace: "argocd" },
      ],
      denied: [
        { verb: "list", resource: "secrets", namespace: "kube-system" },
        { verb: "create", resource: "pods", namespace: "argocd" },
        { verb: "create", resource: "clusterroles", group: "rbac.authorization.k8s.io" },
      ],
    },
    {
      account: "argocd-repo-server",
      namespace: "argocd",
      why: "renders manifests from git: no Kubernetes API rights",
      allowed: [],
      denied: [
        { verb: "list", resource: "secrets", namespace: "argocd" },
        { verb: "get", resource: "configmaps", namespace: "argocd" },
        { verb: "list", resource: "applications", group: "argoproj.io", namespace: "argocd" },
      ],
    },
  ];
  for (const rights of ARGO) {
    it(`${rights.namespace}/${rights.account}: ${rights.why}`, async () => {
      await expectRights([rights]);
    });
  }
});

describe("people: the platform admins' SSO groups (SubjectAccessReviews)", () => {
  /** What a person (EKS OIDC identity provider: user and groups prefixed sso:) may do; true where allowed. */
  async function personCan(groups: string[], asks: Ask[]): Promise<boolean[]> {
    const reviews = asks.map((ask) => ({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: "sso:ada@example.dev",
        groups: [...groups, "system:authenticated"],
        resourceAttributes: { verb: ask.verb, resource: ask.resource, group: ask.group ?? "", namespace: ask.namespace ?? "" },
      },
    }));
    return answered(reviews);
  }
  const asks: Ask[] = [
    { verb: "list", resource: "pods", namespace: "vault" },
    { verb: "get", resource: "deployments", group: "apps", namespace: "argocd" },
    { verb: "list", resource: "namespaces" },
    { verb: "get", resource: "secrets", namespace: "vault" },
    { verb: "create", resource: "pods", namespace: "vault" },
    { verb: "delete", resource: "deployments", group: "apps", namespace: "argocd" },
  ];

  it("a platform admin reads every namespace (view) but may not read Secrets nor change anything", async () => {
    expect(await personCan(["sso:holodeck-platform-admins"], asks)).toEqual([true, true, true, false, false, false]);
  });

  it("anyone else signed in through SSO gets none of it from the platform's binding", async () => {
    expect(await personCan(["sso:holodeck-team-checkout"], asks)).toEqual([false, false, false, false, false, false]);
  });
});
