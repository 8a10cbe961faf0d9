// What the admission policies on service namespaces share (host-policy.ts, deployer-policy.ts):
// a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) that
// the API server evaluates itself (no webhook to keep alive) for objects in namespaces labelled
// holodeck.dev/service, and its binding with Deny.
import { SERVICE_LABEL } from "../../model/team";

const ADMISSION_API = "admissionregistration.k8s.io/v1";

export interface AdmissionValidation {
  expression: string;
  messageExpression: string;
  reason: "Forbidden" | "Invalid";
}

/** A CEL string literal. */
export const literal = (value: string): string => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** `<kind> <namespace>/<name>: ` for messages. */
export const SUBJECT = "object.kind + ' ' + namespaceObject.metadata.name + '/' + object.metadata.name + ': '";

/** The objects a policy checks: on create and update unless `operations` says otherwise. */
export const admissionRule = (
  apiGroup: string,
  versions: string[],
  resources: string[],
  operations: ("CREATE" | "UPDATE")[] = ["CREATE", "UPDATE"],
): Record<string, unknown> => ({
  apiGroups: [apiGroup],
  apiVersions: versions,
  operations,
  resources,
});

export interface ServicePolicy {
  name: string;
  resourceRules: Record<string, unknown>[];
  variables?: { name: string; expression: string }[];
  validations: AdmissionValidation[];
}

/** The policy (failing closed) on every service namespace and its binding (Deny), as manifests. */
export function servicePolicyObjects(policy: ServicePolicy): Record<string, unknown>[] {
  return [
    {
      apiVersion: ADMISSION_API,
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: policy.name },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          namespaceSelector: { matchExpressions: [{ key: SERVICE_LABEL, operator: "Exists" }] },
          resourceRules: policy.resourceRules,
        },
        ...(policy.variables ? { variables: policy.variables } : {}),
        validations: policy.validations,
      },
    },
    {
      apiVersion: ADMISSION_API,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: policy.name },
      spec: { policyName: policy.name, validationActions: ["Deny"] },
    },
  ];
}
