// The deploy identity stays Argo CD's (issue 14, docs/tenancy.md): in a service namespace no pod
// may run as the ServiceAccount Argo CD impersonates to sync the service, and no Secret may hold
// a ServiceAccount token. Otherwise a service's own code (or a compromised container) could act
// as the deployer: change its namespace outside git, unreviewed and unaudited by Argo CD. The
// deployer's Role may create pods, workloads and Secrets, so RBAC alone cannot say this; the API
// server's admission (a ValidatingAdmissionPolicy) refuses it for every requester, including the
// controllers that create a Deployment's pods, and names what to do instead.
import { DEPLOYER_SERVICE_ACCOUNT } from "../../model/team";
import { admissionRule, literal, servicePolicyObjects, SUBJECT, type AdmissionValidation } from "./service-admission";

export const DEPLOYER_POLICY = "holodeck-deployer-identity";

/** Where each kind keeps its pod spec (the workload kinds a service chart may make, and Pod itself). */
const POD_SPEC_OF: Record<string, string> = {
  Pod: "object.spec",
  Deployment: "object.spec.template.spec",
  StatefulSet: "object.spec.template.spec",
  ReplicaSet: "object.spec.template.spec",
  DaemonSet: "object.spec.template.spec",
  Job: "object.spec.template.spec",
  CronJob: "object.spec.jobTemplate.spec.template.spec",
};

/** The rules: one per pod-spec location, one for token Secrets, one for the deployer's own account. */
export function deployerValidations(): AdmissionValidation[] {
  const deployer = literal(DEPLOYER_SERVICE_ACCOUNT);
  // The deprecated alias serviceAccount needs no rule: the API server copies it into
  // serviceAccountName before admission (core/v1 conversion).
  const runsAsDeployer = (spec: string): string => `has(${spec}.serviceAccountName) && ${spec}.serviceAccountName == ${deployer}`;
  const podRules = Object.entries(POD_SPEC_OF).map(([kind, spec]) => ({
    expression: `object.kind != ${literal(kind)} || !(${runsAsDeployer(spec)})`,
    messageExpression: `${SUBJECT} + 'pods may not run as ${DEPLOYER_SERVICE_ACCOUNT} (Argo CD syncs the service as it); leave serviceAccountName to the chart (the service\\'s own account)'`,
    reason: "Forbidden" as const,
  }));
  return [
    ...podRules,
    {
      expression: "object.kind != 'Secret' || !has(object.type) || object.type != 'kubernetes.io/service-account-token'",
      messageExpression: `${SUBJECT} + 'ServiceAccount token Secrets are refused in a service namespace (a long-lived token of any account, ${DEPLOYER_SERVICE_ACCOUNT} included); pods get short-lived tokens of their own account'`,
      reason: "Forbidden",
    },
    {
      // Its own account (e.g. automountServiceAccountToken) is the team chart's, which Argo CD
      // syncs with the platform's identity; a service chart that templates or recreates it is refused.
      expression: `object.kind != 'ServiceAccount' || object.metadata.name != ${deployer} || request.userInfo.username != 'system:serviceaccount:' + namespaceObject.metadata.name + ':' + ${deployer}`,
      messageExpression: `${SUBJECT} + '${DEPLOYER_SERVICE_ACCOUNT} may not change its own ServiceAccount (the platform\\'s team chart owns it); give the service its own account'`,
      reason: "Forbidden",
    },
  ];
}

/** The policy and its binding (Deny), as manifests. */
export function deployerPolicyObjects(): Record<string, unknown>[] {
  return servicePolicyObjects({
    name: DEPLOYER_POLICY,
    resourceRules: [
      // Create only: a pod's account and a Secret's type cannot change, and checking updates would
      // block removing the finalizers of one admitted before the policy.
      admissionRule("", ["v1"], ["pods", "secrets"], ["CREATE"]),
      // Create too: else the deployer could delete its account and make it again its own way.
      admissionRule("", ["v1"], ["serviceaccounts"], ["CREATE", "UPDATE"]),
      admissionRule("apps", ["v1"], ["deployments", "statefulsets", "replicasets", "daemonsets"]),
      admissionRule("batch", ["v1"], ["jobs", "cronjobs"]),
    ],
    validations: deployerValidations(),
  });
}
