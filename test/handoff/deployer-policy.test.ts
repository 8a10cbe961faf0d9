// The deployer-identity admission policy (bootstrap/handoff/deployer-policy.ts) as every stack
// records it. What the API server does with it is proven on the real one in
// test/control-plane/refusals.test.ts; here: that every stack applies it, to what, and its rules.
import { describe, expect, it } from "vitest";
import { DEPLOYER_POLICY, deployerValidations } from "../../bootstrap/handoff/deployer-policy";
import { listStacks, recordedStack } from "../harness/stacks";

const POLICY_TYPE = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING_TYPE = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

describe.each(listStacks())("%s", (stack) => {
  const resources = recordedStack(stack).resources;
  const named = (type: string) => resources.filter((r) => r.type === type && (r.inputs.metadata as { name: string }).name === DEPLOYER_POLICY);

  it("applies the policy to pods, workloads and Secrets of service namespaces, on create and update", () => {
    const [policy] = named(POLICY_TYPE);
    expect(policy.name.endsWith("-handoff-deployer-policy-0")).toBe(true);
    const spec = policy.inputs.spec as { failurePolicy: string; matchConstraints: unknown; validations: unknown[] };
    expect(spec.failurePolicy).toBe("Fail");
    expect(spec.matchConstraints).toEqual({
      namespaceSelector: { matchExpressions: [{ key: "holodeck.dev/service", operator: "Exists" }] },
      resourceRules: [
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "secrets"] },
        { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments", "statefulsets", "replicasets", "daemonsets"] },
        { apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs", "cronjobs"] },
      ],
    });
    expect(spec.validations).toEqual(deployerValidations());
  });

  it("binds it with Deny, after the releases the handoff waits for", () => {
    const [binding] = named(BINDING_TYPE);
    expect(binding.inputs.spec).toEqual({ policyName: DEPLOYER_POLICY, validationActions: ["Deny"] });
    const [policy] = named(POLICY_TYPE);
    expect(binding.dependsOn).toEqual(policy.dependsOn);
    expect(policy.dependsOn.length).toBeGreaterThan(0);
  });
});

describe("the rules", () => {
  it("one per place a kind keeps its pod spec, and one for ServiceAccount token Secrets", () => {
    const expressions = deployerValidations().map((v) => v.expression);
    expect(expressions).toHaveLength(8);
    expect(expressions[0]).toBe(
      "object.kind != 'Pod' || !((has(object.spec.serviceAccountName) && object.spec.serviceAccountName == 'argocd-deployer') || " +
        "(has(object.spec.serviceAccount) && object.spec.serviceAccount == 'argocd-deployer'))",
    );
    expect(expressions[6]).toContain("object.kind != 'CronJob' || !((has(object.spec.jobTemplate.spec.template.spec.serviceAccountName)");
    expect(expressions[7]).toBe("object.kind != 'Secret' || !has(object.type) || object.type != 'kubernetes.io/service-account-token'");
  });
});
