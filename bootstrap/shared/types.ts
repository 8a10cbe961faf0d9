// What the bootstrap add-ons need from the foundation, as narrow structural types: the
// foundation's Cluster / Network satisfy them, and tests can see exactly what is used.
import type * as pulumi from "@pulumi/pulumi";

/** The EKS cluster's identity: IRSA trust is scoped with its OIDC provider. */
export interface ClusterIdentity {
  name: pulumi.Input<string>;
  oidcProviderArn: pulumi.Input<string>;
  oidcProviderUrl: pulumi.Input<string>;
}

/** What the foundation's KmsKey needs to write a key policy for this account. */
export interface AccountRef {
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

/** IRSA trust target: the one service account allowed to assume a role. */
export interface ServiceAccountRef {
  namespace: string;
  serviceAccount: string;
}
