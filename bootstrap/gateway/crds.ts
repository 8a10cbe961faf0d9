// The CRDs of the gateway edge, installed by Pulumi (server-side apply) before anything uses
// them: the Gateway API standard channel at the pinned bundle, and Envoy Gateway's own kinds
// (EnvoyProxy, SecurityPolicy...) at the controller's tag. Not through Helm: the CRD charts
// exceed the 1 MiB limit of Helm's release Secret, and Envoy Gateway's chart bundles the
// experimental channel. Both come from the projects' release URLs of the pinned versions.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CHARTS, GATEWAY_API } from "../versions";

/** The standard-channel bundle (CRDs and the safe-upgrades ValidatingAdmissionPolicy). */
export const GATEWAY_API_CRDS_URL = `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API.version}/${GATEWAY_API.channel}-install.yaml`;

/** Envoy Gateway's CRD files at the pinned tag (its chart's crds sub-chart holds them). */
export const ENVOY_GATEWAY_CRD_DIR = "charts/gateway-helm/charts/crds/crds/generated";
export const ENVOY_GATEWAY_CRD_FILES = [
  "gateway.envoyproxy.io_backends.yaml",
  "gateway.envoyproxy.io_backendtrafficpolicies.yaml",
  "gateway.envoyproxy.io_clienttrafficpolicies.yaml",
  "gateway.envoyproxy.io_envoyextensionpolicies.yaml",
  "gateway.envoyproxy.io_envoypatchpolicies.yaml",
  "gateway.envoyproxy.io_envoyproxies.yaml",
  "gateway.envoyproxy.io_httproutefilters.yaml",
  "gateway.envoyproxy.io_securitypolicies.yaml",
] as const;
export const ENVOY_GATEWAY_CRD_URLS = ENVOY_GATEWAY_CRD_FILES.map(
  (file) => `https://raw.githubusercontent.com/envoyproxy/gateway/${CHARTS.envoyGateway.version}/${ENVOY_GATEWAY_CRD_DIR}/${file}`,
);

export class GatewayCrds extends pulumi.ComponentResource {
  /** Everything that uses a Gateway API or Envoy Gateway kind waits for these. */
  public readonly installed: pulumi.Resource[];

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:GatewayCrds", name, {}, opts);
    const gatewayApi = new k8s.yaml.v2.ConfigGroup(`${name}-gateway-api`, { files: [GATEWAY_API_CRDS_URL] }, { parent: this });
    const envoyGateway = new k8s.yaml.v2.ConfigGroup(`${name}-envoy-gateway`, { files: ENVOY_GATEWAY_CRD_URLS }, { parent: this });
    this.installed = [gatewayApi, envoyGateway];
    this.registerOutputs({});
  }
}
