// EKS managed add-ons at the default version AWS publishes for the cluster's Kubernetes
// version (looked up at deploy time, so an upgrade of `kubernetesVersion` moves them too).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AddonSpec {
  addonName: string;
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
      const version = aws.eks.getAddonVersionOutput(
        { addonName: spec.addonName, kubernetesVersion: args.kubernetesVersion, mostRecent: false },
        { parent: this },
      );
      return new aws.eks.Addon(
        `${name}-${spec.addonName}`,
        {
          clusterName: args.clusterName,
          addonName: spec.addonName,
          addonVersion: version.version,
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
