// The pod shape of the raft snapshot Job: a Vault CLI step (init container) hands a file to an
// AWS CLI step through a shared volume (restrictedContainer is shared with the init Job). Restricted security context, read-only root
// filesystems with a writable /tmp, Vault's CA mounted for TLS, and restartPolicy
// OnFailure so a failing AWS step restarts in the same pod and still finds the file.
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { IMAGES } from "../versions";
import { VAULT_TLS_DIR, VAULT_TLS_SECRET } from "./constants";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

export interface CliStep {
  name: string;
  script: string;
  env: EnvVar[];
  /** Mounts besides /tmp (and, for the Vault step, Vault's CA). */
  mounts: VolumeMount[];
}

export interface VaultThenAwsPodArgs {
  serviceAccountName: pulumi.Input<string>;
  /** The volume that carries the file from the Vault step to the AWS step. */
  handoff: Volume;
  extraVolumes?: Volume[];
  automountServiceAccountToken?: boolean;
  vaultStep: CliStep;
  awsStep: CliStep;
}

export function restrictedContainer(): k8s.types.input.core.v1.SecurityContext {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
}

const TMP: VolumeMount = { name: "tmp", mountPath: "/tmp" };

export function vaultThenAwsPod(args: VaultThenAwsPodArgs): PodSpec {
  return {
    serviceAccountName: args.serviceAccountName,
    ...(args.automountServiceAccountToken === undefined ? {} : { automountServiceAccountToken: args.automountServiceAccountToken }),
    restartPolicy: "OnFailure",
    // uid 100 is the vault user of the Vault image; the AWS CLI runs under whichever uid, with HOME=/tmp.
    securityContext: { runAsNonRoot: true, runAsUser: 100, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    volumes: [
      args.handoff,
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      { name: "tls", secret: { secretName: VAULT_TLS_SECRET, items: [{ key: "ca.crt", path: "ca.crt" }] } },
      ...(args.extraVolumes ?? []),
    ],
    initContainers: [
      {
        name: args.vaultStep.name,
        image: IMAGES.vault,
        command: ["/bin/sh", "-c", args.vaultStep.script],
        env: [{ name: "VAULT_CACERT", value: `${VAULT_TLS_DIR}/ca.crt` }, ...args.vaultStep.env],
        volumeMounts: [...args.vaultStep.mounts, TMP, { name: "tls", mountPath: VAULT_TLS_DIR, readOnly: true }],
        securityContext: restrictedContainer(),
      },
    ],
    containers: [
      {
        name: args.awsStep.name,
        image: IMAGES.awsCli,
        command: ["/bin/sh", "-c", args.awsStep.script],
        env: [{ name: "HOME", value: "/tmp" }, ...args.awsStep.env],
        volumeMounts: [...args.awsStep.mounts, TMP],
        securityContext: restrictedContainer(),
      },
    ],
  };
}
