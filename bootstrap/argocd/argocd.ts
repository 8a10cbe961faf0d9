// Argo CD: HA in production (sharded controllers, repo-servers, servers, ApplicationSet
// controllers, redis-ha), local admin disabled in production with OIDC SSO, tracking by
// annotation, health checks for the platform's own kinds, and git credentials read from
// a hand-made Secrets Manager secret (docs/bootstrap.md, manual steps). The chart runs the
// image ARGOCD_IMAGE_TAG, newer than its own appVersion, so its CRDs are that version's, applied
// here from Argo CD's repository and kept when the stack lets go of them: deleting a CRD would
// delete every Application, and with their finalizers every service.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import type { Environment } from "../../model";
import { ARGOCD_IMAGE_TAG, CHARTS } from "../versions";
import { addonNamespace, chartRelease } from "../shared/k8s-helpers";
import { systemPlacement } from "../shared/placement";
import { readJsonSecret } from "../shared/secrets-manager";
import { INGRESS_CLASS } from "../ingress/ingress-nginx";
import { HEALTH_CUSTOMIZATIONS } from "./argocd-health";
import { argocdRbac, SERVER_CLUSTER_ROLE_RULES } from "./rbac";

export const ARGOCD_NAMESPACE = "argocd";
export const OIDC_SECRET = "argocd-oidc";
/** Argo CD's CRDs at the image's tag (its repository's manifests/crds). */
export const ARGOCD_CRD_URLS = ["application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml"].map(
  (file) => `https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_IMAGE_TAG}/manifests/crds/${file}`,
);

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecretName: string;
}

export interface ArgoCdArgs {
  environment: Environment;
  domain: string;
  oidc: OidcSettings;
  /** SSO groups of the platform admins (holodeck:platformAdminGroups): Argo CD admins. */
  platformAdminGroups: readonly string[];
  gitCredentialsSecretName: string;
  /** URL prefixes the git token is valid for (platform repo, services-root, service repos). */
  repoUrlPrefixes: string[];
  /** Whether ingress-nginx runs (the stack's edge or its standby): argocd-server's Ingress only then. */
  ingressNginx: boolean;
  /** The ingress controller: its admission webhook must answer for argocd-server's Ingress. */
  after: pulumi.Resource[];
}

export class ArgoCd extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly crds: k8s.yaml.v2.ConfigGroup;
  public readonly host: string;

  constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:ArgoCd", name, {}, opts);
    const production = args.environment === "production";
    this.host = `argocd.${args.domain}`;
    const namespace = addonNamespace(name, ARGOCD_NAMESPACE, { parent: this });
    // Server-side apply (the provider's enableServerSideApply): the ApplicationSet CRD is larger
    // than the last-applied annotation may be. retainOnDelete reaches every CRD of the group.
    this.crds = new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: ARGOCD_CRD_URLS }, { parent: this, retainOnDelete: true });
    const inNamespace = { parent: this, dependsOn: [namespace] };

    // Secrets labelled part-of argocd may be referenced from argocd-cm as $<name>:<key>.
    const oidc = readJsonSecret(args.oidc.clientSecretName, ["clientSecret"], { parent: this });
    const oidcSecret = new k8s.core.v1.Secret(
      `${name}-oidc`,
      {
        metadata: { name: OIDC_SECRET, namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } },
        stringData: { clientSecret: oidc.clientSecret },
      },
      inNamespace,
    );
    const git = readJsonSecret(args.gitCredentialsSecretName, ["username", "password"], { parent: this });
    const credentials = args.repoUrlPrefixes.map(
      (url, index) =>
        new k8s.core.v1.Secret(
          `${name}-repo-creds-${index}`,
          {
            metadata: { name: `repo-creds-${index}`, namespace: ARGOCD_NAMESPACE, labels: { "argocd.argoproj.io/secret-type": "repo-creds" } },
            stringData: { type: "git", url, username: git.username, password: git.password },
          },
          inNamespace,
        ),
    );

    const replicas = (ha: number): number => (production ? ha : 1);
    const pdb = { enabled: production };
    // A `<component>-metrics` Service each (port http-metrics); the ServiceMonitors are GitOps
    // content (platform-apps/manifests/monitoring), never the chart's: Prometheus' CRD comes later.
    const metrics = { enabled: true, serviceMonitor: { enabled: false } };
    this.release = chartRelease(
      name,
      CHARTS.argoCd,
      {
        releaseName: "argocd",
        namespace: namespace.metadata.name,
        values: {
          // Every Argo CD component (and the redis secret Job) takes these defaults.
          global: { domain: this.host, image: { tag: ARGOCD_IMAGE_TAG }, ...systemPlacement() },
          crds: { install: false },
          configs: {
            cm: {
              "admin.enabled": !production,
              "exec.enabled": false,
              "application.resourceTrackingMethod": "annotation",
              // Syncs run as each AppProject's destinationServiceAccounts (docs/tenancy.md).
              "application.sync.impersonation.enabled": "true",
              "oidc.config": stringify({
                name: "SSO",
                issuer: args.oidc.issuer,
                clientID: args.oidc.clientId,
                clientSecret: `$${OIDC_SECRET}:clientSecret`,
                requestedScopes: ["openid", "profile", "email", "groups"],
              }),
              ...HEALTH_CUSTOMIZATIONS,
            },
            // TLS ends at ingress-nginx (wildcard certificate); the server speaks plain HTTP behind it.
            params: { "server.insecure": true },
            // Platform admins only; teams get their own apps through their AppProject's role.
            rbac: argocdRbac(args.platformAdminGroups),
          },
          dex: { enabled: false },
          // redis-ha's own top-level keys place both its Redis StatefulSet and HAProxy. Its 3
          // HAProxies must sit on distinct nodes and the 3 system nodes are all there are, so a
          // rollout replaces one in place instead of surging a 4th that could never schedule.
          "redis-ha": {
            enabled: production,
            ...systemPlacement(),
            haproxy: { deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
          },
          controller: { replicas: replicas(2), pdb, metrics },
          server: {
            clusterRoleRules: { enabled: true, rules: SERVER_CLUSTER_ROLE_RULES },
            replicas: replicas(3),
            pdb,
            metrics,
            // On the gateway edge its HTTPRoute (bootstrap.ts) serves it; no Ingress nobody reads.
            ingress: args.ingressNginx
              ? { enabled: true, ingressClassName: INGRESS_CLASS, hostname: this.host, extraTls: [{ hosts: [this.host] }] }
              : { enabled: false },
          },
          repoServer: { replicas: replicas(2), pdb, metrics },
          applicationSet: { replicas: replicas(2), pdb, metrics },
        },
      },
      { parent: this, dependsOn: [...args.after, this.crds, oidcSecret, ...credentials] },
    );
    this.registerOutputs({ host: this.host });
  }
}
