// The deployer-identity admission policy (bootstrap/handoff/deployer-policy.ts) as every stack
// records it. What the API server does with it is proven on the real one in
// test/control-plane/deployer-identity.test.ts; here: that every stack applies it, to what, before
// what, and its rules word for word.
import { describe, expect, it } from "vitest";
import { DEPLOYER_POLICY, deployerValidations } from "../../bootstrap/handoff/deployer-policy";
import { listStacks, recordedStack } from "../harness/stacks";

const POLICY_TYPE = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING_TYPE = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

describe.each(listStacks())("%s", (stack) => {
  const resources = recordedStack(stack).resources;
  const named = (type: string) => resources.filter((r) => r.type === type && (r.inputs.metadata as { name: string }).name === DEPLOYER_POLICY);

  it("applies the policy to pods, workloads, Secrets and ServiceAccounts of service namespaces", () => {
    const [policy] = named(POLICY_TYPE);
    expect(policy.name.endsWith("-handoff-deployer-policy-0")).toBe(true);
    const spec = policy.inputs.spec as { failurePolicy: string; matchConstraints: unknown; validations: unknown[] };
    expect(spec.failurePolicy).toBe("Fail");
    expect(spec.matchConstraints).toEqual({
      namespaceSelector: { matchExpressions: [{ key: "holodeck.dev/service", operator: "Exists" }] },
      resourceRules: [
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods", "secrets"] },
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["serviceaccounts"] },
        { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments", "statefulsets", "replicasets", "daemonsets"] },
        { apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs", "cronjobs"] },
      ],
    });
    expect(spec.validations).toHaveLength(9);
  });

  it("binds it with Deny, and the teams and services ApplicationSets wait for both admission policies", () => {
    const [binding] = named(BINDING_TYPE);
    expect(binding.inputs.spec).toEqual({ policyName: DEPLOYER_POLICY, validationActions: ["Deny"] });
    const policyUrns = resources.filter((r) => r.type === POLICY_TYPE || r.type === BINDING_TYPE).map((r) => r.urn);
    expect(policyUrns).toHaveLength(4);
    for (const appSet of ["-handoff-services-appset", "-handoff-teams-appset"]) {
      const waitsFor = resources.find((r) => r.name.endsWith(appSet))?.dependsOn ?? [];
      expect(
        policyUrns.filter((urn) => !waitsFor.includes(urn)),
        appSet,
      ).toEqual([]);
    }
  });
});

describe("the rules, word for word", () => {
  const podMessage = `object.kind + ' ' + namespaceObject.metadata.name + '/' + object.metadata.name + ': ' + 'pods may not run as argocd-deployer (Argo CD syncs the service as it); leave serviceAccountName to the chart (the service\\'s own account)'`;
  const podRule = (kind: string, spec: string) => ({
    expression: `object.kind != '${kind}' || !(has(${spec}.serviceAccountName) && ${spec}.serviceAccountName == 'argocd-deployer')`,
    messageExpression: podMessage,
    reason: "Forbidden",
  });

  it("one per place a kind keeps its pod spec, one for ServiceAccount token Secrets, one for the deployer's own account", () => {
    expect(deployerValidations()).toEqual([
      podRule("Pod", "object.spec"),
      podRule("Deployment", "object.spec.template.spec"),
      podRule("StatefulSet", "object.spec.template.spec"),
      podRule("ReplicaSet", "object.spec.template.spec"),
      podRule("DaemonSet", "object.spec.template.spec"),
      podRule("Job", "object.spec.template.spec"),
      podRule("CronJob", "object.spec.jobTemplate.spec.template.spec"),
      {
        expression: "object.kind != 'Secret' || !has(object.type) || object.type != 'kubernetes.io/service-account-token'",
        messageExpression:
          "object.kind + ' ' + namespaceObject.metadata.name + '/' + object.metadata.name + ': ' + 'ServiceAccount token Secrets are refused in a service namespace " +
          "(a long-lived token of any account, argocd-deployer included); pods get short-lived tokens of their own account'",
        reason: "Forbidden",
      },
      {
        expression:
          "object.kind != 'ServiceAccount' || object.metadata.name != 'argocd-deployer' || request.userInfo.username != 'system:serviceaccount:' + namespaceObject.metadata.name + ':' + 'argocd-deployer'",
        messageExpression:
          "object.kind + ' ' + namespaceObject.metadata.name + '/' + object.metadata.name + ': ' + 'argocd-deployer may not change its own ServiceAccount " +
          "(the platform\\'s team chart owns it); give the service its own account'",
        reason: "Forbidden",
      },
    ]);
  });
});
