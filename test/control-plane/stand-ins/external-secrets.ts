// Stand-in for the External Secrets Operator syncing an `ExternalSecret` from Vault (the
// chart's `<service>-vault`, ClusterSecretStore `vault`). Vault and ESO's image are not
// here, so after `syncAfterMs` (a Vault round trip) it does what ESO does on a successful
// sync and nothing more:
// - creates the target Secret `spec.target.name` with one key per `spec.data[].secretKey`
//   (values are stand-in strings naming the Vault path and property they would come from),
//   owned by the ExternalSecret (`creationPolicy: Owner`), labelled as ESO labels it;
// - sets status `Ready=True` reason `SecretSynced`, `refreshTime`, `syncedResourceVersion`
//   and `binding.name`, the fields ESO v1 writes.
// Argo CD's health check for ExternalSecret (the stack's Lua in argocd-cm) reads only the
// Ready condition, so wave -1 ends exactly when the Secret exists.
import { conditionOf, controllerReference, type KubeObject, type KubeRest } from "./kube-rest";
import { now, runStandIn, secretData, type StandIn } from "./stand-in";

interface ExternalSecret extends KubeObject {
  metadata: KubeObject["metadata"] & { generation?: number };
  spec: {
    target?: { name?: string; creationPolicy?: string };
    data?: Array<{ secretKey: string; remoteRef: { key: string; property?: string } }>;
  };
}

export const EXTERNAL_SECRETS_API = "/apis/external-secrets.io/v1";

export interface ExternalSecretsStandInOptions {
  syncAfterMs: number;
}

/** The value the stand-in writes for one key: where Vault would have read it. */
export function standInSecretValue(remoteKey: string, property: string | undefined): string {
  return `stand-in:secret/${remoteKey}#${property ?? ""}`;
}

export function startExternalSecrets(kube: KubeRest, options: ExternalSecretsStandInOptions): StandIn {
  return runStandIn<ExternalSecret>({
    name: "external-secrets",
    kube,
    collectionPath: `${EXTERNAL_SECRETS_API}/externalsecrets`,
    reconcile: async (externalSecret, seenForMs) => {
      if (conditionOf(externalSecret, "Ready")?.status === "True" || seenForMs < options.syncAfterMs) return;
      const namespace = externalSecret.metadata.namespace ?? "";
      const target = externalSecret.spec.target?.name ?? externalSecret.metadata.name;
      const values = Object.fromEntries(
        (externalSecret.spec.data ?? []).map((item) => [item.secretKey, standInSecretValue(item.remoteRef.key, item.remoteRef.property)]),
      );
      const secretsPath = `/api/v1/namespaces/${namespace}/secrets`;
      if (!(await kube.get(`${secretsPath}/${target}`))) {
        const owned = (externalSecret.spec.target?.creationPolicy ?? "Owner") === "Owner";
        await kube.create(secretsPath, {
          apiVersion: "v1",
          kind: "Secret",
          metadata: {
            name: target,
            namespace,
            labels: { "reconcile.external-secrets.io/managed": "true" },
            ...(owned ? { ownerReferences: [controllerReference(externalSecret)] } : {}),
          },
          type: "Opaque",
          data: secretData(values),
        });
      }
      await kube.mergePatch(`${EXTERNAL_SECRETS_API}/namespaces/${namespace}/externalsecrets/${externalSecret.metadata.name}/status`, {
        status: {
          conditions: [{ type: "Ready", status: "True", reason: "SecretSynced", message: "Secret was synced", lastTransitionTime: now() }],
          refreshTime: now(),
          syncedResourceVersion: `${externalSecret.metadata.generation ?? 1}-stand-in`,
          binding: { name: target },
        },
      });
    },
  });
}
