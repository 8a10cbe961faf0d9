// The deploy identity stays Argo CD's (issue 14), on a real kube-apiserver: the stack's recorded
// admission policy refuses, in a service namespace, a pod or workload that would run as the
// ServiceAccount Argo CD impersonates, and a Secret holding a ServiceAccount token; a pod of the
// namespace's own account is admitted. A bare control plane (no nodes, no Argo CD): only the API
// server's admission is asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOYER_POLICY } from "../../bootstrap/handoff/deployer-policy";
import { SERVICE_NAMESPACE_LABELS } from "../../bootstrap/handoff/services-appset";
import { DEPLOYER_SERVICE_ACCOUNT, DOMAIN_LABEL, SERVICE_LABEL } from "../../model/team";
import { recordedStack } from "../harness/stacks";
import { ControlPlane, recordedKubernetesObjects, waitFor, type KubeObject } from "./harness";

const STACK = "staging-eu-west-1";
const NAMESPACE = "identity-example";

let plane: ControlPlane;

const restricted = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } };
const podSpec = (serviceAccountName?: string): Record<string, unknown> => ({
  ...(serviceAccountName ? { serviceAccountName } : {}),
  securityContext: restricted,
  containers: [{ name: "app", image: "registry.example/app:1", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
});
const meta = (name: string): KubeObject["metadata"] => ({ name, namespace: NAMESPACE });
const template = (serviceAccountName?: string) => ({ metadata: { labels: { app: "x" } }, spec: podSpec(serviceAccountName) });

/** As the cluster admin: admission applies to every requester. */
const create = (object: KubeObject): Promise<string> => plane.kubectl.refusalOf(object);

beforeAll(async () => {
  plane = await ControlPlane.start({});
  const policies = recordedKubernetesObjects(recordedStack(STACK)).filter((o) => o.kind.startsWith("ValidatingAdmissionPolicy"));
  await plane.kubectl.apply(policies);
  const labels = { ...SERVICE_NAMESPACE_LABELS, [SERVICE_LABEL]: NAMESPACE, [DOMAIN_LABEL]: "services" };
  await plane.kubectl.apply([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE, labels } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(DEPLOYER_SERVICE_ACCOUNT) },
  ]);
  // The API server loads a new policy asynchronously: wait until it refuses.
  const probe: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: meta("probe"), spec: podSpec(DEPLOYER_SERVICE_ACCOUNT) };
  await waitFor(`policy ${DEPLOYER_POLICY} to be enforced`, async () => ((await create(probe)).includes(DEPLOYER_POLICY) ? true : undefined), 60_000);
}, 300_000);

afterAll(async () => {
  await plane?.stop();
});

describe(`in a service namespace, nothing runs as ${DEPLOYER_SERVICE_ACCOUNT}`, () => {
  const refusal = (kind: string, name: string): string =>
    `${kind} ${NAMESPACE}/${name}: pods may not run as ${DEPLOYER_SERVICE_ACCOUNT} (Argo CD syncs the service as it); leave serviceAccountName to the chart`;

  it("refuses a pod, naming the policy and what to do", async () => {
    const message = await create({ apiVersion: "v1", kind: "Pod", metadata: meta("as-deployer"), spec: podSpec(DEPLOYER_SERVICE_ACCOUNT) });
    expect(message).toContain(`ValidatingAdmissionPolicy '${DEPLOYER_POLICY}'`);
    expect(message).toContain(refusal("Pod", "as-deployer"));
  });

  it("refuses a pod naming it through the deprecated serviceAccount field (the API server copies it into serviceAccountName first)", async () => {
    const spec = { ...podSpec(), serviceAccount: DEPLOYER_SERVICE_ACCOUNT };
    expect(await create({ apiVersion: "v1", kind: "Pod", metadata: meta("alias"), spec })).toContain(refusal("Pod", "alias"));
  });

  /** Each workload kind a service chart may make, whose pods would run as `account` (at sync, not later at pod creation). */
  const workloads = (account: string, name: string): KubeObject[] => {
    const selector = { matchLabels: { app: "x" } };
    const jobTemplate = { ...template(account), spec: { ...podSpec(account), restartPolicy: "Never" } };
    return [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(name), spec: { selector, template: template(account) } },
      { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta(name), spec: { selector, serviceName: name, template: template(account) } },
      { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: meta(name), spec: { selector, template: template(account) } },
      { apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta(name), spec: { selector, template: template(account) } },
      { apiVersion: "batch/v1", kind: "Job", metadata: meta(name), spec: { template: jobTemplate } },
      { apiVersion: "batch/v1", kind: "CronJob", metadata: meta(name), spec: { schedule: "@hourly", jobTemplate: { spec: { template: jobTemplate } } } },
    ];
  };

  it.each(workloads(DEPLOYER_SERVICE_ACCOUNT, "as-deployer").map((w) => [w.kind, w]))("refuses a %s whose pods would", async (kind, workload) => {
    expect(await create(workload)).toContain(refusal(kind, "as-deployer"));
    expect(await plane.kubectl.get(kind.toLowerCase(), "as-deployer", NAMESPACE)).toBeUndefined();
  });

  it("refuses a Deployment whose template switches to it later (updates are checked for workloads)", async () => {
    const [deployment] = workloads("default", "switch");
    expect(await create(deployment)).toBe("");
    const patch = JSON.stringify({ spec: { template: { spec: { serviceAccountName: DEPLOYER_SERVICE_ACCOUNT } } } });
    const result = await plane.kubectl.run(["patch", "deployment", "switch", "-n", NAMESPACE, "--type=merge", "-p", patch]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(refusal("Deployment", "switch"));
  });

  it("refuses the deprecated field in a workload's pod template too", async () => {
    const [deployment] = workloads("default", "alias");
    const spec = deployment.spec as { template: { spec: Record<string, unknown> } };
    spec.template.spec = { ...podSpec(), serviceAccount: DEPLOYER_SERVICE_ACCOUNT };
    expect(await create(deployment)).toContain(refusal("Deployment", "alias"));
  });

  it("refuses a ServiceAccount token Secret (a long-lived deployer token)", async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: { ...meta("deployer-token"), annotations: { "kubernetes.io/service-account.name": DEPLOYER_SERVICE_ACCOUNT } },
    };
    expect(await create(secret)).toContain(`Secret ${NAMESPACE}/deployer-token: ServiceAccount token Secrets are refused in a service namespace`);
    expect(await plane.kubectl.get("secret", "deployer-token", NAMESPACE)).toBeUndefined();
  });

  it("admits a pod and a Deployment of the namespace's own account, and an ordinary Secret (the policy is not deny-all)", async () => {
    expect(await create({ apiVersion: "v1", kind: "Pod", metadata: meta("own"), spec: podSpec() })).toBe("");
    expect(
      await create({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta("own"),
        spec: { selector: { matchLabels: { app: "x" } }, template: template() },
      }),
    ).toBe("");
    expect(await create({ apiVersion: "v1", kind: "Secret", metadata: meta("settings"), stringData: { LEVEL: "info" } })).toBe("");
  });

  it("leaves other namespaces alone (the policy selects service namespaces only)", async () => {
    await plane.kubectl.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "platform-example" } }]);
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "platform-example" }, spec: podSpec("default") };
    expect(await create(pod)).toBe("");
  });
});

describe(`${DEPLOYER_SERVICE_ACCOUNT} may not change its own ServiceAccount`, () => {
  const deployer = `system:serviceaccount:${NAMESPACE}:${DEPLOYER_SERVICE_ACCOUNT}`;
  const patch = JSON.stringify({ automountServiceAccountToken: true });
  const patchAs = (user: string[], name: string) => plane.kubectl.run(["patch", "serviceaccount", name, "-n", NAMESPACE, "--type=merge", "-p", patch, ...user]);

  beforeAll(async () => {
    // RBAC first lets the deployer edit ServiceAccounts here (its team chart Role does), so the
    // request reaches admission: what is under test is the policy, not RBAC.
    await plane.kubectl.apply([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("app") },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta("deployer-edit"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
        subjects: [{ kind: "ServiceAccount", name: DEPLOYER_SERVICE_ACCOUNT, namespace: NAMESPACE }],
      },
    ]);
  });

  it("refuses the deployer's patch of its own account, naming the policy and what to do", async () => {
    const result = await patchAs([`--as=${deployer}`], DEPLOYER_SERVICE_ACCOUNT);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`ValidatingAdmissionPolicy '${DEPLOYER_POLICY}'`);
    expect(result.stderr).toContain(
      `ServiceAccount ${NAMESPACE}/${DEPLOYER_SERVICE_ACCOUNT}: ${DEPLOYER_SERVICE_ACCOUNT} may not change its own ServiceAccount (the platform's team chart owns it)`,
    );
    expect((await plane.kubectl.get("serviceaccount", DEPLOYER_SERVICE_ACCOUNT, NAMESPACE))?.["automountServiceAccountToken"]).toBeUndefined();
  });

  it("refuses the deployer making its own account again after it was deleted (Argo CD's Replace=true)", async () => {
    await plane.kubectl.run(["delete", "serviceaccount", DEPLOYER_SERVICE_ACCOUNT, "-n", NAMESPACE]);
    const account = JSON.stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: meta(DEPLOYER_SERVICE_ACCOUNT), automountServiceAccountToken: true });
    const result = await plane.kubectl.run(["create", "-f", "-", `--as=${deployer}`], account);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${DEPLOYER_SERVICE_ACCOUNT} may not change its own ServiceAccount`);
    await plane.kubectl.apply([{ apiVersion: "v1", kind: "ServiceAccount", metadata: meta(DEPLOYER_SERVICE_ACCOUNT) }]);
  });

  it("admits the deployer's patch of the service's own account, and the platform's patch of the deployer's", async () => {
    expect((await patchAs([`--as=${deployer}`], "app")).code).toBe(0);
    expect((await patchAs([], DEPLOYER_SERVICE_ACCOUNT)).code).toBe(0);
  });
});
