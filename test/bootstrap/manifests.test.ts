// Every Kubernetes object the bootstrap creates through Pulumi validates against the real
// schemas: built-in kinds strictly with the Go API types, Argo CD and cert-manager kinds
// strictly with the CRDs of the exact versions deployed (scripts/install/bootstrap-crds.sh; Karpenter's
// EC2NodeClass and NodePool with its CRDs at the pin), the gateway edge's kinds with the pinned Gateway API and Envoy Gateway CRDs (gateway-api-crds.sh).
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, type StackRecording } from "../harness/stacks";
import { validateManifest } from "../harness/k8s-schema";
import { edgeOf } from "./edges";
import { STACKS, kubernetesObjects, useBootstrapCrds } from "./helpers";

/** What the gateway edge adds (bootstrap/gateway/): the Gateway, its class and proxy config, the redirect and the UIs' routes with Vault's guards. */
const GATEWAY_EDGE_KINDS = ["BackendTLSPolicy", "EnvoyProxy", "Gateway", "GatewayClass", "HTTPRoute", "HTTPRoute", "HTTPRoute"];

useBootstrapCrds();

describe.each(STACKS)("%s bootstrap manifests", (stack) => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it("validates every object against its schema", () => {
    const objects = kubernetesObjects(rec);
    expect(objects.map((o) => String(o.inputs.kind)).sort()).toEqual(
      [
        ...(edgeOf(stack) === "gateway" ? GATEWAY_EDGE_KINDS : []),
        "AppProject",
        "Application",
        "ApplicationSet",
        "ApplicationSet",
        "Certificate",
        "Certificate",
        "Certificate",
        "ClusterIssuer",
        "ClusterIssuer",
        "ClusterIssuer",
        "ClusterIssuer",
        "ClusterRoleBinding",
        "ConfigMap",
        "CronJob",
        "CronJob",
        "EC2NodeClass",
        "Job",
        "Namespace",
        "Namespace",
        "Namespace",
        "Namespace",
        "NodePool",
        "Secret",
        "Secret",
        "Secret",
        "Secret",
        "Secret",
        "Secret",
        "Service",
        "ServiceAccount",
        "ServiceAccount",
        "ServiceAccount",
        "StorageClass",
        // The service hosts and the deployer identity (bootstrap/handoff).
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingAdmissionPolicyBinding",
      ].sort(),
    );
    for (const object of objects) validateManifest(object.inputs, `${stack} ${object.name}`);
  });

  it("rejects a misspelled field (the check is not a pass-through)", () => {
    const appSet = kubernetesObjects(rec).find((o) => o.inputs.kind === "ApplicationSet");
    if (!appSet) throw new Error("no ApplicationSet");
    const spec = appSet.inputs.spec as Record<string, unknown>;
    const broken = { ...appSet.inputs, spec: { ...spec, goTemplateOption: spec.goTemplateOptions } };
    expect(() => validateManifest(broken, "broken ApplicationSet")).toThrow(/goTemplateOption/);
    const issuer = kubernetesObjects(rec).find((o) => o.inputs.kind === "ClusterIssuer" && JSON.stringify(o.inputs).includes("hostedZoneID"));
    if (!issuer) throw new Error("no ACME ClusterIssuer");
    const wrongCase = JSON.parse(JSON.stringify(issuer.inputs).replace("hostedZoneID", "hostedZoneId")) as Record<string, unknown>;
    expect(() => validateManifest(wrongCase, "broken ClusterIssuer")).toThrow(/hostedZoneId/);
  });
});
