// EKS managed add-ons at the version pinned for the cluster's Kubernetes version in one table,
// so an upgrade of `kubernetesVersion` moves them too, and a preview or drift check shows exactly
// what changes (no deploy-time lookup that moves by itself when AWS publishes a new default).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../model";

/** The managed add-ons every cluster runs, in the order an upgrade moves them (network ones before the nodes). */
export const EKS_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

/**
 * The version of each add-on per accepted Kubernetes version. Before a bump, check the versions
 * EKS offers: `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>`.
 * Sources (checked 2026-12-03): versions recorded on running EKS clusters in public
 * infrastructure repositories (1.36: an eu-south-2 cluster created in 2026-11 resolved
 * vpc-cni v1.22.4-eksbuild.3, kube-proxy v1.36.0-eksbuild.21, coredns v1.14.3-eksbuild.16;
 * EBS CSI v1.63.1-eksbuild.1 pinned for a 1.36 cluster; 1.35: kube-proxy v1.35.0-eksbuild.2,
 * coredns v1.13.2-eksbuild.1). vpc-cni and the EBS CSI driver do not follow the Kubernetes
 * minor, so both versions use the newest seen.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<KubernetesVersion, Readonly<Record<EksAddonName, string>>>> = {
  "1.35": { "vpc-cni": "v1.22.4-eksbuild.3", "kube-proxy": "v1.35.0-eksbuild.2", coredns: "v1.13.2-eksbuild.1", "aws-ebs-csi-driver": "v1.63.1-eksbuild.1" },
  "1.36": { "vpc-cni": "v1.22.4-eksbuild.3", "kube-proxy": "v1.36.0-eksbuild.21", coredns: "v1.14.3-eksbuild.16", "aws-ebs-csi-driver": "v1.63.1-eksbuild.1" },
};

/** The pinned version of `addon` for `kubernetesVersion`; a clear error for a version without a row. */
export function eksAddonVersion(kubernetesVersion: string, addon: EksAddonName): string {
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(kubernetesVersion)) {
    throw new Error(
      `components/cluster-addons.ts EKS_ADDON_VERSIONS: no row for Kubernetes ${kubernetesVersion} (allowed: ${KUBERNETES_VERSIONS.join(" | ")})`,
    );
  }
  return EKS_ADDON_VERSIONS[kubernetesVersion as KubernetesVersion][addon];
}

export interface AddonSpec {
  addonName: EksAddonName;
  /** IRSA role of the add-on's service account. */
  serviceAccountRoleArn?: pulumi.Input<string>;
  /** The add-on's configuration (its published JSON schema: `aws eks describe-addon-configuration`). */
  configurationValues?: Record<string, string | number | boolean>;
}

export interface ClusterAddonsArgs {
  clusterName: pulumi.Input<string>;
  kubernetesVersion: string;
  addons: AddonSpec[];
  /** Resources the add-ons wait for (children do not inherit a component's dependsOn). */
  after?: pulumi.Resource[];
}

export class ClusterAddons extends pulumi.ComponentResource {
  readonly addons: aws.eks.Addon[];

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:cluster:ClusterAddons", name, {}, opts);
    this.addons = args.addons.map((spec) => {
      return new aws.eks.Addon(
        `${name}-${spec.addonName}`,
        {
          clusterName: args.clusterName,
          addonName: spec.addonName,
          addonVersion: eksAddonVersion(args.kubernetesVersion, spec.addonName),
          serviceAccountRoleArn: spec.serviceAccountRoleArn,
          configurationValues: spec.configurationValues === undefined ? undefined : JSON.stringify(spec.configurationValues),
          // First install replaces anything pre-existing; later updates keep manual tweaks visible as drift.
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "PRESERVE",
        },
        { parent: this, dependsOn: args.after },
      );
    });
    this.registerOutputs({});
  }
}
