// The certificate issuers of the platform: Let's Encrypt (staging and production ACME
// endpoints, DNS-01 through Route53 with cert-manager's IRSA role) for public hosts, and a
// private CA for in-cluster TLS (Vault). Every CR depends on the release bringing its CRD.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CERT_MANAGER_NAMESPACE } from "./cert-manager";
import type { Environment } from "../../model";
import { WAIT_FOR_READY } from "../shared/k8s-helpers";

export const LETSENCRYPT_ISSUERS = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type LetsencryptIssuer = keyof typeof LETSENCRYPT_ISSUERS;
/** Issues browser-trusted certificates (production ACME endpoint). */
export const TRUSTED_ISSUER: LetsencryptIssuer = "letsencrypt-prod";
export const INTERNAL_CA_ISSUER = "holodeck-internal-ca";
const CERT_MANAGER_API = "cert-manager.io/v1";

export interface ClusterIssuersArgs {
  domain: string;
  hostedZoneId: string;
  region: string;
  letsencryptEmail: string;
  /** The cert-manager release: its CRDs and webhook must be there before any of these objects. */
  after: pulumi.Resource[];
}

export class ClusterIssuers extends pulumi.ComponentResource {
  /** The Let's Encrypt ClusterIssuers by name: a Certificate waits only for its own issuer. */
  public readonly letsencrypt: Record<LetsencryptIssuer, pulumi.Resource>;
  /** The private CA ClusterIssuer (Ready once its CA certificate is signed). */
  public readonly internalCa: pulumi.Resource;

  constructor(name: string, args: ClusterIssuersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:ClusterIssuers", name, {}, opts);
    const afterChart = { parent: this, dependsOn: args.after };

    const names = Object.keys(LETSENCRYPT_ISSUERS) as LetsencryptIssuer[];
    const acme = names.map(
      (issuer) =>
        new k8s.apiextensions.CustomResource(
          `${name}-${issuer}`,
          {
            apiVersion: CERT_MANAGER_API,
            kind: "ClusterIssuer",
            metadata: { name: issuer },
            spec: {
              acme: {
                server: LETSENCRYPT_ISSUERS[issuer],
                email: args.letsencryptEmail,
                privateKeySecretRef: { name: `${issuer}-account-key` },
                solvers: [
                  {
                    selector: { dnsZones: [args.domain] },
                    // No credentials: the controller's IRSA role (ambient credentials).
                    dns01: { route53: { region: args.region, hostedZoneID: args.hostedZoneId } },
                  },
                ],
              },
            },
          },
          afterChart,
        ),
    );

    // Private CA: a self-signed root (only used to sign the CA) -> CA certificate -> CA issuer.
    const selfSigned = new k8s.apiextensions.CustomResource(
      `${name}-selfsigned`,
      { apiVersion: CERT_MANAGER_API, kind: "ClusterIssuer", metadata: { name: "holodeck-selfsigned" }, spec: { selfSigned: {} } },
      afterChart,
    );
    const caCertificate = new k8s.apiextensions.CustomResource(
      `${name}-internal-ca-cert`,
      {
        apiVersion: CERT_MANAGER_API,
        kind: "Certificate",
        metadata: { name: INTERNAL_CA_ISSUER, namespace: CERT_MANAGER_NAMESPACE, annotations: WAIT_FOR_READY },
        spec: {
          isCA: true,
          commonName: "holodeck internal CA",
          secretName: INTERNAL_CA_ISSUER,
          duration: "87600h", // 10 years; leaf certificates stay short-lived
          privateKey: { algorithm: "ECDSA", size: 384 },
          issuerRef: { name: "holodeck-selfsigned", kind: "ClusterIssuer", group: "cert-manager.io" },
        },
      },
      { parent: this, dependsOn: [...args.after, selfSigned] },
    );
    const internalCa = new k8s.apiextensions.CustomResource(
      `${name}-internal-ca`,
      {
        apiVersion: CERT_MANAGER_API,
        kind: "ClusterIssuer",
        metadata: { name: INTERNAL_CA_ISSUER, annotations: WAIT_FOR_READY },
        spec: { ca: { secretName: INTERNAL_CA_ISSUER } },
      },
      { parent: this, dependsOn: [...args.after, caCertificate] },
    );
    this.letsencrypt = Object.fromEntries(names.map((issuer, index): [LetsencryptIssuer, pulumi.Resource] => [issuer, acme[index]])) as Record<
      LetsencryptIssuer,
      pulumi.Resource
    >;
    this.internalCa = internalCa;
    this.registerOutputs({ issuers: [...Object.keys(LETSENCRYPT_ISSUERS), INTERNAL_CA_ISSUER] });
  }
}

/**
 * The ACME issuer of everything a person opens in a browser (platform UIs and service hosts,
 * contracts §2 `letsencrypt_issuer`): the trusted production endpoint in every environment,
 * staging included, so no one learns to click through a certificate warning. The
 * letsencrypt-staging ClusterIssuer stays for deliberate tests of issuance (its rate limits are
 * higher); nothing a person opens uses it.
 */
export function letsencryptIssuerFor(environment: Environment): LetsencryptIssuer {
  return ENVIRONMENT_ISSUERS[environment];
}
const ENVIRONMENT_ISSUERS: Record<Environment, LetsencryptIssuer> = { staging: TRUSTED_ISSUER, production: TRUSTED_ISSUER };
