// Vault in HA with integrated raft storage: 3 replicas spread over zones, TLS from the
// internal CA, auto-unseal with a KMS key through IRSA, UI and API public on the stack's edge
// (docs/edge.md: OIDC login, per-team policies, audit; restricted to CIDRs only on request), agent
// injector off (pods get secrets through External Secrets). The Release does not wait:
// Vault pods only become ready after VaultInit has initialised the cluster.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KmsKey } from "../../components/kms";
import type { Tags } from "../../model";
import { CHARTS, IMAGES } from "../versions";
import { addonNamespace, chartRelease, WAIT_FOR_READY } from "../shared/k8s-helpers";
import { addonRole, roleAnnotation } from "../shared/irsa";
import { preferSystemNodes, SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS } from "../shared/placement";
import type { AccountRef, ClusterIdentity } from "../shared/types";
import { INTERNAL_CA_ISSUER } from "../cert-manager/cluster-issuers";
import { INGRESS_CLASS } from "../ingress/ingress-nginx";
import {
  VAULT_NAMESPACE,
  VAULT_RELEASE as RELEASE_NAME,
  VAULT_REPLICAS,
  VAULT_SERVICE_ACCOUNT,
  VAULT_TLS_DIR,
  VAULT_TLS_SECRET,
  VAULT_UNAUTHENTICATED_PATHS,
} from "./constants";
import { raftConfig, tlsReloaderContainer } from "./server-config";

export interface VaultArgs {
  cluster: ClusterIdentity;
  region: string;
  domain: string;
  /**
   * One replica per zone as a hard rule (production: ≥ 3 zones and ≥ 3 workload nodes);
   * otherwise zones are preferred and only distinct nodes are required.
   */
  hardZoneSpread: boolean;
  /**
   * Nodes the system group always has (its minSize). Vault runs only there when every
   * replica gets its own system node; otherwise it prefers them and the rest run on
   * workload nodes (required host anti-affinity would leave a replica pending).
   */
  systemNodes: number;
  /**
   * Source CIDRs operators and CI reach the cluster from (the EKS endpoint's). Non-empty: they
   * deploy from outside the VPC, so Pulumi's vault provider talks to Vault through the edge;
   * [] (private EKS endpoint): through the in-cluster address.
   */
  adminCidrs: string[];
  /**
   * Only these source CIDRs reach Vault on the edge; undefined = anyone (every shipped stack:
   * docs/edge.md says why that is acceptable).
   */
  uiAllowedCidrs?: string[];
  /** IAM roles that log in with Vault's AWS auth (Vault resolves them with iam:GetRole). */
  deployRoleArns: string[];
  tags: Tags;
  account: AccountRef;
  /** Physical name prefix (holodeck-<stack>) for the key alias. */
  clusterName: string;
  /** What the listener Certificate waits for: cert-manager's CRD and the internal CA issuer. */
  certificateAfter: pulumi.Resource[];
  /** What the release waits for: the StorageClass its raft PVCs ask for. */
  after: pulumi.Resource[];
  /**
   * ingress-nginx's release when that edge runs (serving or standby): Vault then gets the chart's
   * Ingress, which its admission webhook must answer for. Undefined: no Ingress (the gateway
   * edge's HTTPRoute is PlatformRoute's).
   */
  ingressController?: pulumi.Resource;
}

export class Vault extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly unsealKey: KmsKey;
  /** In-cluster address (TLS, internal CA) used by External Secrets and the Jobs. */
  public readonly internalAddress = `https://${RELEASE_NAME}-active.${VAULT_NAMESPACE}.svc:8200`;
  /** Public address on the stack's edge (UI, OIDC login, API). */
  public readonly publicAddress: string;
  /** The source CIDRs the edge lets through to Vault; undefined = anyone. */
  public readonly allowedCidrs: string[] | undefined;
  /** Where Pulumi's vault provider talks to Vault: the public address from outside the VPC, else the in-cluster one. */
  public readonly deployAddress: string;
  /** Host Vault's AWS login header must name (public host, else the in-cluster one). */
  public readonly loginHost: string;

  constructor(name: string, args: VaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:Vault", name, {}, opts);
    const host = `vault.${args.domain}`;
    const pinToSystemNodes = args.systemNodes >= VAULT_REPLICAS;
    const deployThroughEdge = args.adminCidrs.length > 0;
    this.publicAddress = `https://${host}`;
    // Pulumi deploys through the edge from the admin CIDRs: a restricted Vault must still let them in.
    this.allowedCidrs = args.uiAllowedCidrs && deployThroughEdge ? [...new Set([...args.uiAllowedCidrs, ...args.adminCidrs])] : args.uiAllowedCidrs;
    this.deployAddress = deployThroughEdge ? this.publicAddress : this.internalAddress;
    this.loginHost = deployThroughEdge ? host : `${RELEASE_NAME}-active.${VAULT_NAMESPACE}.svc`;
    // Deleting the namespace would delete the raft PVCs (and with them every secret):
    // Pulumi only forgets it; raft snapshots in S3 are the recovery path.
    this.namespace = addonNamespace(name, VAULT_NAMESPACE, { parent: this, retainOnDelete: true });

    // Losing this key makes every raft snapshot and the running cluster unreadable.
    this.unsealKey = new KmsKey(
      `${name}-unseal`,
      { description: `Vault auto-unseal of ${args.clusterName}`, aliasName: `${args.clusterName}-vault-unseal`, ...args.account },
      { parent: this },
    );
    const role = addonRole(
      name,
      args.cluster,
      { namespace: VAULT_NAMESPACE, serviceAccount: VAULT_SERVICE_ACCOUNT },
      [
        { Sid: "AutoUnseal", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: [this.unsealKey.keyArn] },
        // AWS auth binds deploy roles by unique ID (a re-created role of the same name is refused).
        { Sid: "ResolveDeployRoles", Effect: "Allow", Action: ["iam:GetRole"], Resource: [...args.deployRoleArns] },
      ],
      args.tags,
      { parent: this },
    );

    const tls = new k8s.apiextensions.CustomResource(
      `${name}-tls`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: VAULT_TLS_SECRET, namespace: this.namespace.metadata.name, annotations: WAIT_FOR_READY },
        spec: {
          secretName: VAULT_TLS_SECRET,
          issuerRef: { name: INTERNAL_CA_ISSUER, kind: "ClusterIssuer", group: "cert-manager.io" },
          commonName: `${RELEASE_NAME}.${VAULT_NAMESPACE}.svc`,
          dnsNames: [
            RELEASE_NAME,
            `${RELEASE_NAME}.${VAULT_NAMESPACE}`,
            `${RELEASE_NAME}.${VAULT_NAMESPACE}.svc`,
            `${RELEASE_NAME}-active.${VAULT_NAMESPACE}.svc`,
            `*.${RELEASE_NAME}-internal`,
            `*.${RELEASE_NAME}-internal.${VAULT_NAMESPACE}.svc`,
          ],
          ipAddresses: ["127.0.0.1"],
          duration: "2160h",
          renewBefore: "720h",
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
      },
      { parent: this, dependsOn: args.certificateAfter },
    );

    this.release = chartRelease(
      name,
      CHARTS.vault,
      {
        releaseName: RELEASE_NAME,
        namespace: this.namespace.metadata.name,
        await: false,
        values: {
          global: { tlsDisable: false },
          injector: { enabled: false },
          ui: { enabled: true },
          server: {
            extraEnvironmentVars: { VAULT_CACERT: `${VAULT_TLS_DIR}/ca.crt` },
            extraVolumes: [{ type: "secret", name: VAULT_TLS_SECRET }],
            // Renewed listener certificates take effect through SIGHUP (server-config.ts).
            shareProcessNamespace: true,
            extraContainers: [tlsReloaderContainer(IMAGES.vault)],
            serviceAccount: { create: true, name: VAULT_SERVICE_ACCOUNT, annotations: roleAnnotation(role) },
            tolerations: [...SYSTEM_TOLERATIONS],
            ...(pinToSystemNodes ? { nodeSelector: { ...SYSTEM_NODE_SELECTOR } } : {}),
            affinity: { ...zoneAntiAffinity(args.hardZoneSpread), ...(pinToSystemNodes ? {} : { nodeAffinity: preferSystemNodes() }) },
            // Raft data is the secret store: keep the volumes if the StatefulSet goes.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            dataStorage: { enabled: true, size: "10Gi" },
            ha: {
              enabled: true,
              replicas: VAULT_REPLICAS,
              disruptionBudget: { enabled: true, maxUnavailable: 1 },
              raft: {
                enabled: true,
                setNodeId: true,
                config: pulumi
                  .all([this.unsealKey.keyId])
                  .apply(([keyId]) => raftConfig({ region: args.region, kmsKeyId: keyId, replicas: VAULT_REPLICAS, releaseName: RELEASE_NAME })),
              },
            },
            ingress: args.ingressController
              ? {
                  enabled: true,
                  ingressClassName: INGRESS_CLASS,
                  activeService: true,
                  // Vault speaks TLS itself; the public side uses the stack's wildcard certificate.
                  annotations: {
                    "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
                    // The NLB keeps client IPs (preserve_client_ip), so nginx can filter on them.
                    ...(this.allowedCidrs ? { "nginx.ingress.kubernetes.io/whitelist-source-range": this.allowedCidrs.join(",") } : {}),
                  },
                  hosts: [{ host, paths: [] }],
                  tls: [{ hosts: [host] }],
                }
              : { enabled: false },
          },
        },
      },
      { parent: this, dependsOn: [role, tls, ...args.after, ...(args.ingressController ? [args.ingressController] : [])] },
    );
    if (args.ingressController) {
      // ingress-nginx gives the more specific path its own location: allowed from no client, so 403.
      new k8s.networking.v1.Ingress(
        `${name}-closed-paths`,
        {
          metadata: {
            name: `${RELEASE_NAME}-closed-paths`,
            namespace: VAULT_NAMESPACE,
            annotations: { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS", "nginx.ingress.kubernetes.io/whitelist-source-range": "127.0.0.1/32" },
          },
          spec: {
            ingressClassName: INGRESS_CLASS,
            rules: [
              {
                host,
                http: {
                  paths: VAULT_UNAUTHENTICATED_PATHS.map((path) => ({
                    path,
                    pathType: "Prefix",
                    backend: { service: { name: `${RELEASE_NAME}-active`, port: { number: 8200 } } },
                  })),
                },
              },
            ],
          },
        },
        { parent: this, dependsOn: [this.release] },
      );
    }
    this.registerOutputs({ internalAddress: this.internalAddress, deployAddress: this.deployAddress, unsealKeyArn: this.unsealKey.keyArn });
  }
}

function zoneAntiAffinity(hard: boolean): Record<string, unknown> {
  const selector = { matchLabels: { "app.kubernetes.io/name": "vault", "app.kubernetes.io/instance": RELEASE_NAME, component: "server" } };
  const byZone = { labelSelector: selector, topologyKey: "topology.kubernetes.io/zone" };
  const byHost = { labelSelector: selector, topologyKey: "kubernetes.io/hostname" };
  return {
    podAntiAffinity: hard
      ? { requiredDuringSchedulingIgnoredDuringExecution: [byZone, byHost] }
      : {
          requiredDuringSchedulingIgnoredDuringExecution: [byHost],
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: byZone }],
        },
  };
}
