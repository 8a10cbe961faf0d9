// The gateway edge's objects against the real API server (issue 17's proof): the pinned Gateway
// API and Envoy Gateway CRDs (the versions the stack's ConfigGroups apply, local copies from the
// projects' Go modules) are installed on the harness control plane; the exact objects the
// recorded stack applies (GatewayClass, EnvoyProxy, Gateway, HTTPRoutes, BackendTLSPolicy...),
// the HTTPRoute the service chart renders on the gateway edge and the platform UIs' route
// manifests are accepted, and variants that break the CRDs' CEL rules are refused with the
// rules' own messages (CEL runs only in an API server: the OpenAPI checks of test/bootstrap and
// test/chart cannot see these).
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_NAMESPACE, PLATFORM_UIS } from "../../bootstrap/gateway/constants";
import { helmTemplate } from "../harness/helm";
import { readDocs } from "../platform-apps/platform";
import { recordedStack, REPO_ROOT, type StackRecording } from "../harness/stacks";
import { EXAMPLE_VALUES, APPSET_PARAMS, SERVICE, stagingAppsetParams, WRAPPER_DIR } from "../chart/render";
import { ControlPlane, installCrds, recordedConfigGroupCrds, recordedKubernetesObjects, type KubeObject } from "./harness";

const STACK = "staging-eu-west-1";
const GATEWAY_GROUPS = ["gateway.networking.k8s.io", "gateway.envoyproxy.io"];
const groupOf = (o: KubeObject): string => o.apiVersion.split("/")[0];

let plane: ControlPlane;
let recording: StackRecording;
let stackObjects: KubeObject[];
let serviceRoute: KubeObject;

/** The chart's HTTPRoute with the parameters the services ApplicationSet of a gateway stack sets. */
function chartRoute(): KubeObject {
  const objects = helmTemplate(
    WRAPPER_DIR,
    [EXAMPLE_VALUES],
    { ...APPSET_PARAMS, ...stagingAppsetParams("gateway") },
    { releaseName: SERVICE, namespace: SERVICE },
  );
  const routes = objects.filter((o) => o.kind === "HTTPRoute");
  if (routes.length !== 1) throw new Error(`the chart rendered ${routes.length} HTTPRoutes on the gateway edge, expected 1`);
  return { ...routes[0], metadata: { ...routes[0].metadata, namespace: SERVICE } };
}

/** The platform UIs' route manifests (Kiali, Jaeger) as Argo CD applies them. */
const uiRoutes = (): KubeObject[] =>
  ["kiali", "jaeger"].flatMap(
    (ui) => readDocs(path.join(REPO_ROOT, "platform-apps", "manifests", ui, "edge-gateway-httproute.yaml")) as unknown as KubeObject[],
  );

/** Creates `object` and returns kubectl's refusal (stderr), or "accepted". */
const create = async (object: KubeObject): Promise<string> => (await plane.kubectl.refusalOf(object)) || "accepted";

const namespace = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

beforeAll(async () => {
  recording = recordedStack(STACK);
  stackObjects = recordedKubernetesObjects(recording).filter((o) => GATEWAY_GROUPS.includes(groupOf(o)));
  serviceRoute = chartRoute();
  plane = await ControlPlane.start();
  await installCrds(plane, recordedConfigGroupCrds(recording));
  const namespaces = new Set([GATEWAY_NAMESPACE, SERVICE, ...Object.values(PLATFORM_UIS)]);
  await plane.kubectl.apply([...namespaces].map(namespace));
});

afterAll(async () => {
  await plane?.stop();
});

describe(`the gateway edge of ${STACK} on the API server`, () => {
  it("the recorded stack applies the edge's kinds", () => {
    expect(stackObjects.map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort()).toEqual(
      [
        "BackendTLSPolicy vault/vault-active",
        "EnvoyProxy envoy-gateway-system/holodeck-proxy",
        "Gateway envoy-gateway-system/holodeck",
        "GatewayClass /envoy-gateway",
        "HTTPRoute argocd/argocd",
        "HTTPRoute envoy-gateway-system/https-redirect",
        "HTTPRoute vault/vault",
        ...recording.resources
          .filter((r) => r.custom && String(r.inputs.kind) === "SecurityPolicy")
          .map(
            (r) => `SecurityPolicy ${String((r.inputs.metadata as { namespace: string }).namespace)}/${String((r.inputs.metadata as { name: string }).name)}`,
          ),
      ].sort(),
    );
  });

  it("accepts every object the stack applies, exactly as recorded", async () => {
    for (const object of stackObjects)
      expect([object.kind, object.metadata.name, await create(object)]).toEqual([object.kind, object.metadata.name, "accepted"]);
  });

  it("accepts the service chart's HTTPRoute and the platform UIs' routes", async () => {
    for (const route of [serviceRoute, ...uiRoutes()]) expect([route.metadata.name, await create(route)]).toEqual([route.metadata.name, "accepted"]);
  });
});

describe("the CRDs' CEL rules refuse invalid variants", () => {
  const gateway = (): KubeObject & { spec: { listeners: Array<Record<string, unknown>> } } =>
    structuredClone(stackObjects.find((o) => o.kind === "Gateway")) as KubeObject & { spec: { listeners: Array<Record<string, unknown>> } };
  const renamed = <T extends KubeObject>(object: T, name: string): T => ({ ...object, metadata: { ...object.metadata, name } });

  it("a URLRewrite ReplacePrefixMatch on an Exact path match (the chart's rewrite needs its PathPrefix)", async () => {
    const route = structuredClone(serviceRoute) as KubeObject & { spec: { rules: Array<{ matches: Array<{ path: { type: string } }> }> } };
    route.spec.rules[0].matches[0].path.type = "Exact";
    expect(await create(renamed(route, "exact-rewrite"))).toBe(
      'The HTTPRoute "exact-rewrite" is invalid: spec.rules[0]: Invalid value: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
    );
  });

  it("two listeners of one name", async () => {
    const variant = gateway();
    variant.spec.listeners.push({ ...variant.spec.listeners[1], port: 8443 });
    expect(await create(renamed(variant, "duplicate-listener"))).toBe(
      [
        'The Gateway "duplicate-listener" is invalid: ',
        // The listeners are a map keyed by name (structural), and the CEL rule says the same.
        `* spec.listeners[${variant.spec.listeners.length - 1}]: Duplicate value: {"name":"https-services"}`,
        "* spec.listeners: Invalid value: Listener name must be unique within the Gateway",
      ].join("\n"),
    );
  });

  it("two listeners for the same port, protocol and hostname (a second claim on a platform host)", async () => {
    const variant = gateway();
    const vault = variant.spec.listeners.find((l) => l.name === "https-vault");
    variant.spec.listeners.push({ ...vault, name: "https-vault-again" });
    expect(await create(renamed(variant, "duplicate-host"))).toBe(
      'The Gateway "duplicate-host" is invalid: spec.listeners: Invalid value: Combination of port, protocol and hostname must be unique for each listener',
    );
  });

  it("an HTTPS listener that passes TLS through instead of terminating it", async () => {
    const variant = gateway();
    const services = variant.spec.listeners.find((l) => l.name === "https-services") as { tls: Record<string, unknown> };
    services.tls = { ...services.tls, mode: "Passthrough" };
    expect(await create(renamed(variant, "passthrough"))).toBe(
      'The Gateway "passthrough" is invalid: spec.listeners: Invalid value: tls mode must be Terminate for protocol HTTPS',
    );
  });

  it("a listener hostname with a port (the OpenAPI pattern, checked next to the CEL rules)", async () => {
    const variant = gateway();
    const index = variant.spec.listeners.findIndex((l) => l.name === "https-argocd");
    const hostname = `${String(variant.spec.listeners[index].hostname)}:443`;
    variant.spec.listeners[index].hostname = hostname;
    expect(await create(renamed(variant, "hostname-port"))).toContain(
      `The Gateway "hostname-port" is invalid: spec.listeners[${index}].hostname: Invalid value: "${hostname}": spec.listeners[${index}].hostname in body should match`,
    );
  });
});
