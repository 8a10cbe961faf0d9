// Shared helpers of the bootstrap tests: look-ups into a stack recording that fail loudly
// (a renamed resource or key is an error, never a silent pass).
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { policyStatements as statements, type PolicyStatement as Statement } from "../harness/iam-policy";
import { registerCrdFile } from "../harness/k8s-schema";
import { REPO_ROOT, type RecordedResource, type StackRecording } from "../harness/stacks";

/** Validate Argo CD, cert-manager, Gateway API and Envoy Gateway kinds with the CRDs of the deployed versions. */
export function useBootstrapCrds(): void {
  const root = path.join(REPO_ROOT, ".tools", "bootstrap-crds");
  for (const project of ["argo-cd", "cert-manager", "gateway-api", "envoy-gateway"]) {
    for (const file of readdirSync(path.join(root, project)).filter((f) => f.endsWith(".yaml"))) registerCrdFile(path.join(root, project, file));
  }
}

// Per-stack facts come from the stack files (one table for every suite).
export { FACTS, STACKS, type StackFacts } from "../harness/stack-facts";

export type Json = Record<string, unknown>;

/** Value at a dotted path (keys with dots are written in brackets: a.["b.c"].d). */
export function at<T = unknown>(root: unknown, path: string): T {
  const keys = path.match(/\["[^"]+"\]|[^.[\]]+/g) ?? [];
  let node: unknown = root;
  for (const raw of keys) {
    const key = raw.startsWith('["') ? raw.slice(2, -2) : raw;
    if (node === null || typeof node !== "object" || !(key in (node as Json))) {
      throw new Error(`no "${key}" on the way to ${path}`);
    }
    node = (node as Json)[key];
  }
  return node as T;
}

export function input<T = unknown>(resource: RecordedResource, path: string): T {
  try {
    return at<T>(resource.inputs, path);
  } catch (err) {
    throw new Error(`${resource.type} ${resource.name}: ${(err as Error).message}`, { cause: err });
  }
}

/** The Helm release of `chart` (exactly one per stack). */
export function release(rec: StackRecording, chart: string): RecordedResource {
  const found = rec.byType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === chart);
  if (found.length !== 1) throw new Error(`expected one release of chart ${chart}, found ${found.length}`);
  return found[0];
}

/** The single Kubernetes object of `kind` named `name` (custom resources included). */
export function k8sObject(rec: StackRecording, kind: string, name: string): RecordedResource {
  const found = kubernetesObjects(rec).filter((r) => r.inputs.kind === kind && at<string>(r.inputs, "metadata.name") === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

/** Every Kubernetes object Pulumi itself creates (not Helm releases, not providers). */
export function kubernetesObjects(rec: StackRecording): RecordedResource[] {
  return rec.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"));
}

/** True when `dependent` waits for `dependency`, directly or through other resources. */
export function waitsFor(rec: StackRecording, dependent: RecordedResource, dependency: RecordedResource): boolean {
  const byUrn = new Map(rec.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const queue = [...dependent.dependsOn];
  while (queue.length > 0) {
    const urn = queue.pop() as string;
    if (urn === dependency.urn) return true;
    if (seen.has(urn)) continue;
    seen.add(urn);
    queue.push(...(byUrn.get(urn)?.dependsOn ?? []));
  }
  return false;
}

export { statements, type Statement };

/** The IRSA role trusted by namespace/serviceAccount, with its inline policy statements. */
export function irsaRole(rec: StackRecording, namespace: string, serviceAccount: string): { role: RecordedResource; policy: Statement[] } {
  const subject = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const roles = rec
    .byType("aws:iam/role:Role")
    .filter((role) => statements(role.inputs.assumeRolePolicy).some((s) => Object.values(s.Condition?.StringEquals ?? {}).includes(subject)));
  if (roles.length !== 1) throw new Error(`expected one IRSA role for ${subject}, found ${roles.length}`);
  const role = roles[0];
  const policies = rec.byType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.parent === role.parent);
  if (policies.length !== 1) throw new Error(`expected one inline policy next to ${role.name}, found ${policies.length}`);
  return { role, policy: statements(policies[0].inputs.policy) };
}

export function actions(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function bySid(policy: Statement[], sid: string): Statement {
  const found = policy.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${policy.map((s) => s.Sid).join(", ")}`);
  return found;
}
