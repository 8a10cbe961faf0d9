// The cluster's default StorageClass `gp3`. EKS creates none for new clusters (the in-tree
// gp2 class is gone and the aws-ebs-csi-driver add-on only makes one when asked), so
// without it Vault's raft PVCs and every platform-apps volume (`storageClassName: gp3`)
// stay Pending. The class is created with the cluster's Kubernetes provider, which
// components/cluster.ts makes wait for the aws-ebs-csi-driver add-on.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/** Name every chart and manifest asks for (platform-apps/values, Vault by default). */
export const DEFAULT_STORAGE_CLASS = "gp3";
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export class DefaultStorageClass extends pulumi.ComponentResource {
  public readonly storageClass: k8s.storage.v1.StorageClass;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:DefaultStorageClass", name, {}, opts);
    this.storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: {
          name: DEFAULT_STORAGE_CLASS,
          annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" },
          labels: { "app.kubernetes.io/part-of": "holodeck-bootstrap" },
        },
        provisioner: EBS_CSI_PROVISIONER,
        // Encrypted with the account's AWS-managed EBS key: the add-on's IRSA role has only
        // AmazonEBSCSIDriverPolicy, which grants no use of customer-managed keys.
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        // Retain: a deleted PVC (or namespace, or an Argo CD cascade) never deletes the EBS
        // volume of Vault's raft data or of a database; released volumes are removed by hand.
        reclaimPolicy: "Retain",
        // The volume is made in the zone the pod is scheduled to (EBS is zonal).
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
      },
      // Parameters are immutable and the name is fixed: replace by delete first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({ name: this.storageClass.metadata.name });
  }
}
