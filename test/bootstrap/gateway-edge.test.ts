// The gateway edge per stack (docs/edge.md): pinned CRDs before everything that uses them,
// Envoy Gateway on the system nodes, one Gateway whose listeners decide who may attach, the
// shared NLB/certificate/record pointed at its proxies, the bootstrap UIs' routes; and the
// switch: the same stack file with `holodeck:edge: ingress-nginx` runs ingress-nginx instead,
// with the record under the same Pulumi name; during a switch both edges run side by side.
import { beforeAll, describe, expect, it } from "vitest";
import {
  GATEWAY_NAME,
  GATEWAY_NAMESPACE,
  PLATFORM_UIS,
  PROXY_POD_LABELS,
  SERVICE_ROUTE_NAMESPACES,
  SERVICES_LISTENER,
} from "../../bootstrap/gateway/constants";
import { ENVOY_GATEWAY_CRD_FILES, ENVOY_GATEWAY_CRD_URLS, GATEWAY_API_CRDS_URL } from "../../bootstrap/gateway/crds";
import { NLB_ANNOTATIONS, WILDCARD_TLS_SECRET } from "../../bootstrap/ingress/edge-endpoint";
import { CHARTS, GATEWAY_API } from "../../bootstrap/versions";
import { mockHex } from "../../cli/plan/mocks";
import { validateManifest } from "../harness/k8s-schema";
import { runStack, type RecordedResource, type StackRecording } from "../harness/stacks";
import { edgeOf, stackOnEdge } from "./edges";
import { FACTS, STACKS, at, input, k8sObject, kubernetesObjects, release, useBootstrapCrds, waitsFor } from "./helpers";

useBootstrapCrds();

/** The hostname the plan's mocks give a LoadBalancer Service (cli/plan/mocks.ts). */
function nlbHostname(stack: string, service: RecordedResource): string {
  return `k8s-${mockHex(8, service.name)}-${mockHex(10, stack, service.name)}.elb.${FACTS[stack].region}.amazonaws.com`;
}

const SYSTEM = {
  nodeSelector: { "holodeck.dev/node-group": "system" },
  tolerations: [{ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" }],
};
const GATEWAY_KINDS = ["Gateway", "GatewayClass", "HTTPRoute", "BackendTLSPolicy", "EnvoyProxy"];

describe("every shipped stack runs the gateway edge", () => {
  it.each(STACKS)("%s", (stack) => {
    expect(edgeOf(stack)).toBe("gateway");
  });
});

describe.each(STACKS)("%s on the gateway edge", (stack) => {
  const facts = FACTS[stack];
  const production = facts.environment === "production";
  let rec: StackRecording;
  beforeAll(() => {
    rec = stackOnEdge(stack, "gateway");
  });
  // Argo CD's CRDs are a ConfigGroup on every edge (argocd-version.test.ts).
  const crdGroups = (): RecordedResource[] => rec.byType("kubernetes:yaml/v2:ConfigGroup").filter((g) => !g.name.endsWith("-argocd-crds"));
  const envoyGateway = (): RecordedResource => release(rec, CHARTS.envoyGateway.chart);

  it("installs the pinned standard-channel Gateway API CRDs and Envoy Gateway's CRDs before anything that uses them", () => {
    expect(GATEWAY_API_CRDS_URL).toBe(`https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml`);
    expect(GATEWAY_API).toEqual({ version: "v1.6.1", channel: "standard" });
    expect(ENVOY_GATEWAY_CRD_URLS).toHaveLength(ENVOY_GATEWAY_CRD_FILES.length);
    expect(ENVOY_GATEWAY_CRD_URLS[5]).toBe(
      "https://raw.githubusercontent.com/envoyproxy/gateway/v1.9.1/charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_envoyproxies.yaml",
    );
    expect(crdGroups().map((g) => input<string[]>(g, "files"))).toEqual([[GATEWAY_API_CRDS_URL], ENVOY_GATEWAY_CRD_URLS]);
    const users = [envoyGateway(), ...kubernetesObjects(rec).filter((o) => GATEWAY_KINDS.includes(String(o.inputs.kind)))];
    expect(users).toHaveLength(8);
    for (const user of users) for (const group of crdGroups()) expect([user.name, waitsFor(rec, user, group)]).toEqual([user.name, true]);
  });

  it("Envoy Gateway: pinned chart without its (experimental) CRDs, HA in production, on the system nodes", () => {
    const r = envoyGateway();
    expect([input(r, "version"), input(r, "namespace"), input(r, "name")]).toEqual(["v1.9.1", GATEWAY_NAMESPACE, "envoy-gateway"]);
    expect(input(r, "values")).toEqual({
      crds: { enabled: false },
      deployment: { replicas: production ? 2 : 1, pod: SYSTEM },
      podDisruptionBudget: { minAvailable: production ? 1 : 0 },
      certgen: { job: SYSTEM },
    });
  });

  it("proxies: replicas, zone spread and PDB by environment, on the system nodes, behind a ClusterIP Service", () => {
    const proxy = k8sObject(rec, "EnvoyProxy", "holodeck-proxy");
    const spread = {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: PROXY_POD_LABELS },
    };
    expect(at(proxy.inputs, "spec.provider")).toEqual({
      type: "Kubernetes",
      kubernetes: {
        envoyDeployment: { replicas: production ? 3 : 1, pod: { ...SYSTEM, ...(production ? { topologySpreadConstraints: [spread] } : {}) } },
        envoyService: { type: "ClusterIP" },
        ...(production ? { envoyPDB: { minAvailable: 2 } } : {}),
      },
    });
    expect(at(k8sObject(rec, "GatewayClass", "envoy-gateway").inputs, "spec")).toEqual({
      controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
      parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "holodeck-proxy", namespace: GATEWAY_NAMESPACE },
    });
  });

  it("one Gateway: redirect-only HTTP, services on *.<domain> from service namespaces, each platform UI from its namespace", () => {
    const gateway = k8sObject(rec, "Gateway", GATEWAY_NAME);
    expect(at(gateway.inputs, "metadata.namespace")).toBe(GATEWAY_NAMESPACE);
    const tls = { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: WILDCARD_TLS_SECRET }] };
    const kinds = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }];
    const https = (name: string, hostname: string, selector: Record<string, unknown>): Record<string, unknown> => ({
      name,
      port: 443,
      protocol: "HTTPS",
      hostname,
      tls,
      allowedRoutes: { namespaces: { from: "Selector", selector }, kinds },
    });
    expect(at(gateway.inputs, "spec")).toEqual({
      gatewayClassName: "envoy-gateway",
      listeners: [
        { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" }, kinds } },
        https(SERVICES_LISTENER, `*.${facts.domain}`, { matchExpressions: [{ key: "holodeck.dev/service", operator: "Exists" }] }),
        https("https-argocd", `argocd.${facts.domain}`, { matchLabels: { "kubernetes.io/metadata.name": "argocd" } }),
        https("https-vault", `vault.${facts.domain}`, { matchLabels: { "kubernetes.io/metadata.name": "vault" } }),
        https("https-grafana", `grafana.${facts.domain}`, { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }),
        https("https-kiali", `kiali.${facts.domain}`, { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }),
        https("https-jaeger", `jaeger.${facts.domain}`, { matchLabels: { "kubernetes.io/metadata.name": "observability" } }),
      ],
    });
    // The services listener's selector is the service label (test/gateway/listeners.test.ts evaluates it).
    expect(SERVICE_ROUTE_NAMESPACES).toEqual({ matchExpressions: [{ key: "holodeck.dev/service", operator: "Exists" }] });
    expect(Object.values(PLATFORM_UIS)).not.toContain(GATEWAY_NAMESPACE);
    const redirect = k8sObject(rec, "HTTPRoute", "https-redirect");
    expect(at(redirect.inputs, "spec")).toEqual({
      parentRefs: [{ name: GATEWAY_NAME, sectionName: "http" }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    });
  });

  it("its NLB (same annotations as ingress-nginx's) targets the proxies; *.<domain> points at it", () => {
    const nlb = rec.one("kubernetes:core/v1:Service", "-gateway-nlb");
    expect(nlb.inputs.metadata).toEqual({ name: "envoy-gateway-nlb", namespace: GATEWAY_NAMESPACE, annotations: NLB_ANNOTATIONS });
    expect(nlb.inputs.spec).toEqual({
      type: "LoadBalancer",
      loadBalancerClass: "service.k8s.aws/nlb",
      selector: PROXY_POD_LABELS,
      ports: [
        { name: "http", port: 80, targetPort: 10080, protocol: "TCP" },
        { name: "https", port: 443, targetPort: 10443, protocol: "TCP" },
      ],
    });
    expect(waitsFor(rec, nlb, release(rec, "aws-load-balancer-controller"))).toBe(true);
    expect(waitsFor(rec, nlb, envoyGateway())).toBe(true);
    const certificate = k8sObject(rec, "Certificate", WILDCARD_TLS_SECRET);
    expect(at(certificate.inputs, "metadata.namespace")).toBe(GATEWAY_NAMESPACE);
    expect(at(certificate.inputs, "spec.dnsNames")).toEqual([facts.domain, `*.${facts.domain}`]);
    const record = rec.one("aws:route53/record:Record", "-ingress-wildcard-dns");
    expect([input(record, "name"), input(record, "records")]).toEqual([`*.${facts.domain}`, [nlbHostname(stack, nlb)]]);
  });

  it("Argo CD's and Vault's routes on their own listeners; Vault public (no allowlist), over TLS checked against the internal CA", () => {
    const parent = (ui: string): unknown => [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, sectionName: `https-${ui}` },
    ];
    const argocd = k8sObject(rec, "HTTPRoute", "argocd");
    expect(argocd.inputs.spec).toEqual({
      parentRefs: parent("argocd"),
      hostnames: [`argocd.${facts.domain}`],
      rules: [{ backendRefs: [{ group: "", kind: "Service", name: "argocd-server", port: 80 }] }],
    });
    expect(waitsFor(rec, argocd, release(rec, "argo-cd"))).toBe(true);
    const vault = k8sObject(rec, "HTTPRoute", "vault");
    expect(vault.inputs.spec).toEqual({
      parentRefs: parent("vault"),
      hostnames: [`vault.${facts.domain}`],
      rules: [
        { matches: [{ path: { type: "PathPrefix", value: "/v1/sys/metrics" } }] },
        { backendRefs: [{ group: "", kind: "Service", name: "vault-active", port: 8200 }] },
      ],
    });
    expect(kubernetesObjects(rec).filter((o) => o.inputs.kind === "SecurityPolicy")).toEqual([]);
    const backendTls = k8sObject(rec, "BackendTLSPolicy", "vault-active");
    expect(backendTls.inputs.spec).toEqual({
      targetRefs: [{ group: "", kind: "Service", name: "vault-active" }],
      validation: { caCertificateRefs: [{ group: "", kind: "Secret", name: "vault-tls" }], hostname: "vault-active.vault.svc" },
    });
    expect(waitsFor(rec, vault, backendTls)).toBe(true);
    // Pulumi's Vault provider talks to the public name: only once the route answers.
    expect(waitsFor(rec, rec.byType("pulumi:providers:vault")[0], vault)).toBe(true);
  });

  it("every gateway object validates against the pinned CRDs (and a misspelled field does not)", () => {
    const objects = kubernetesObjects(rec).filter((o) => GATEWAY_KINDS.includes(String(o.inputs.kind)));
    expect(objects.map((o) => String(o.inputs.kind)).sort()).toEqual([...GATEWAY_KINDS, "HTTPRoute", "HTTPRoute"].sort());
    for (const object of objects) validateManifest(object.inputs, `${stack} ${object.name}`);
    const gateway = k8sObject(rec, "Gateway", GATEWAY_NAME).inputs;
    const broken = { ...gateway, spec: { ...(gateway.spec as Record<string, unknown>), listener: [] } };
    expect(() => validateManifest(broken, "broken Gateway")).toThrow(/listener/);
  });
});

describe.each(STACKS)("%s: switching the edge", (stack) => {
  let gateway: StackRecording;
  let nginx: StackRecording;
  beforeAll(() => {
    [gateway, nginx] = [stackOnEdge(stack, "gateway"), stackOnEdge(stack, "ingress-nginx")];
  });
  const components = (rec: StackRecording): string[] =>
    rec.resources
      .filter((r) => ["holodeck:bootstrap:EnvoyGateway", "holodeck:bootstrap:GatewayCrds", "holodeck:bootstrap:IngressNginx"].includes(r.type))
      .map((r) => r.type.split(":")[2]);
  const params = (rec: StackRecording): Record<string, string> => {
    const appSet = kubernetesObjects(rec).find((o) => o.inputs.kind === "ApplicationSet" && (o.inputs.metadata as { name: string }).name === "services");
    if (!appSet) throw new Error("no ApplicationSet");
    const parameters = at<{ name: string; value: string }[]>(appSet.inputs, "spec.template.spec.source.helm.parameters");
    return Object.fromEntries(parameters.filter((p) => p.name.startsWith("global.edge") || p.name.startsWith("global.gateway")).map((p) => [p.name, p.value]));
  };

  it("the plan shows one edge: Envoy Gateway by default, ingress-nginx when chosen, never both", () => {
    expect(components(gateway).sort()).toEqual(["EnvoyGateway", "GatewayCrds"]);
    expect(components(nginx)).toEqual(["IngressNginx"]);
    expect(nginx.byType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart)).not.toContain(CHARTS.envoyGateway.chart);
    expect(kubernetesObjects(nginx).filter((o) => GATEWAY_KINDS.includes(String(o.inputs.kind)))).toEqual([]);
    expect(nginx.byType("kubernetes:yaml/v2:ConfigGroup").map((g) => g.name)).toEqual([expect.stringMatching(/-argocd-crds$/)]);
  });

  it("the services ApplicationSet passes the mode (and the Gateway's parentRef on the gateway edge)", () => {
    expect(params(gateway)).toEqual({
      "global.edge": "gateway",
      "global.gateway.namespace": GATEWAY_NAMESPACE,
      "global.gateway.name": GATEWAY_NAME,
      "global.gateway.sectionName": SERVICES_LISTENER,
    });
    expect(params(nginx)).toEqual({ "global.edge": "ingress-nginx" });
  });

  it("keeps the record under one Pulumi name (updated in place), each edge's certificate and NLB under its own", () => {
    const urn = (rec: StackRecording, type: string, suffix: string): string => rec.one(type, suffix).urn;
    const record = ["aws:route53/record:Record", "-ingress-wildcard-dns"] as const;
    expect(urn(gateway, ...record)).toBe(urn(nginx, ...record));
    expect(nginx.byType("kubernetes:core/v1:Service").map((r) => r.name.replace(/^.*-bootstrap-/, ""))).toEqual(["ingress-nlb"]);
    expect(gateway.byType("kubernetes:core/v1:Service").map((r) => r.name.replace(/^.*-bootstrap-/, ""))).toEqual(["gateway-nlb"]);
    const nlb = (rec: StackRecording): unknown => rec.one("kubernetes:core/v1:Service", "-ingress-nlb").inputs.metadata;
    expect(nlb(nginx)).toEqual({ name: "ingress-nginx-controller", namespace: "ingress-nginx", annotations: NLB_ANNOTATIONS });
  });
});

describe.each(STACKS)("%s: both edges side by side during a switch (holodeck:edgeStandby)", (stack) => {
  // Step 1 of the switch: ingress-nginx serves, the gateway edge stands by; step 2 swaps them.
  let nginxServing: StackRecording;
  let gatewayServing: StackRecording;
  beforeAll(async () => {
    // One run at a time: the plan engine's mock runtime is process-wide. The switch happens on
    // Kubernetes 1.35, the newest ingress-nginx 4.15 supports.
    const on135 = { "holodeck:kubernetesVersion": "1.35" };
    nginxServing = await runStack(stack, { config: { ...on135, "holodeck:edge": "ingress-nginx", "holodeck:edgeStandby": "gateway" } });
    gatewayServing = await runStack(stack, { config: { ...on135, "holodeck:edge": "gateway", "holodeck:edgeStandby": "ingress-nginx" } });
  });
  const nlbs = (rec: StackRecording): RecordedResource[] => rec.byType("kubernetes:core/v1:Service");

  it("installs both controllers, each with its own certificate and NLB under its own name", () => {
    for (const rec of [nginxServing, gatewayServing]) {
      const charts = rec.byType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart);
      expect(charts).toEqual(expect.arrayContaining([CHARTS.envoyGateway.chart, CHARTS.ingressNginx.chart]));
      expect(
        nlbs(rec)
          .map((r) => [r.name.replace(/^.*-bootstrap-/, ""), at(r.inputs, "metadata.namespace")])
          .sort(),
      ).toEqual([
        ["gateway-nlb", GATEWAY_NAMESPACE],
        ["ingress-nlb", "ingress-nginx"],
      ]);
      expect(
        kubernetesObjects(rec)
          .filter((o) => o.inputs.kind === "Certificate" && at(o.inputs, "metadata.name") === WILDCARD_TLS_SECRET)
          .map((o) => at<string>(o.inputs, "metadata.namespace"))
          .sort(),
      ).toEqual([GATEWAY_NAMESPACE, "ingress-nginx"]);
    }
    // Fixed names whichever edge serves: the swap moves only the record.
    expect(
      nlbs(nginxServing)
        .map((r) => r.urn)
        .sort(),
    ).toEqual(
      nlbs(gatewayServing)
        .map((r) => r.urn)
        .sort(),
    );
  });

  it("points *.<domain> only at the serving edge's NLB", () => {
    const records = (rec: StackRecording): unknown =>
      rec
        .byType("aws:route53/record:Record")
        .filter((r) => String(r.inputs.name).startsWith("*."))
        .map((r) => r.inputs.records);
    expect(records(nginxServing)).toEqual([[nlbHostname(stack, nginxServing.one("kubernetes:core/v1:Service", "-ingress-nlb"))]]);
    expect(records(gatewayServing)).toEqual([[nlbHostname(stack, gatewayServing.one("kubernetes:core/v1:Service", "-gateway-nlb"))]]);
  });

  it("services are served on both edges: the ApplicationSet passes both", () => {
    const params = (rec: StackRecording): Record<string, string> => {
      const appSet = kubernetesObjects(rec).find((o) => o.inputs.kind === "ApplicationSet" && (o.inputs.metadata as { name: string }).name === "services");
      if (!appSet) throw new Error("no ApplicationSet");
      const parameters = at<{ name: string; value: string }[]>(appSet.inputs, "spec.template.spec.source.helm.parameters");
      return Object.fromEntries(
        parameters.filter((p) => p.name.startsWith("global.edge") || p.name.startsWith("global.gateway")).map((p) => [p.name, p.value]),
      );
    };
    const gatewayRef = { "global.gateway.namespace": GATEWAY_NAMESPACE, "global.gateway.name": GATEWAY_NAME, "global.gateway.sectionName": SERVICES_LISTENER };
    expect(params(nginxServing)).toEqual({ "global.edge": "ingress-nginx", "global.edgeStandby": "gateway", ...gatewayRef });
    expect(params(gatewayServing)).toEqual({ "global.edge": "gateway", "global.edgeStandby": "ingress-nginx", ...gatewayRef });
  });
});
