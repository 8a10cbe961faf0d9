// Stand-in for the External Secrets Operator syncing an `ExternalSecret` from Vault (the
// chart's `<service>-vault`, ClusterSecretStore `vault`). Vault and ESO's image are not
// here, so after `syncAfterMs` (a Vault round trip) it does what ESO does on a successful
// sync and nothing more:
// - creates the target Secret `spec.target.name` with one key per `spec.data[].secretKey`
//   (values are stand-in strings naming the Vault path and property they would come from),
//   plus, per `spec.dataFrom[].sourceRef.generatorRef` of kind Password, the generator's key
//   `password` (random letters and digits of the Password's `spec.length`, as ESO's Password
//   generator gives); `spec.target.template.data` then renders the Secret's keys from those
//   values (`{{ .key }}`, the only template form the chart uses); owned by the ExternalSecret
//   (`creationPolicy: Owner`), labelled as ESO labels it;
// - sets status `Ready=True` reason `SecretSynced`, `refreshTime`, `syncedResourceVersion`
//   and `binding.name`, the fields ESO v1 writes.
// Argo CD's health check for ExternalSecret (the stack's Lua in argocd-cm) reads only the
// Ready condition, so wave -1 ends exactly when the Secret exists.
import { randomBytes } from "node:crypto";
import { conditionOf, controllerReference, type KubeObject, type KubeRest } from "./kube-rest";
import { now, runStandIn, secretData, type StandIn } from "./stand-in";

interface ExternalSecret extends KubeObject {
  metadata: KubeObject["metadata"] & { generation?: number };
  spec: {
    target?: { name?: string; creationPolicy?: string; template?: { data?: Record<string, string> } };
    data?: Array<{ secretKey: string; remoteRef: { key: string; property?: string } }>;
    dataFrom?: Array<{ sourceRef?: { generatorRef?: { apiVersion: string; kind: string; name: string } } }>;
  };
}

const PASSWORD_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A random password of `length` letters and digits (the chart's Password asks for no symbols). */
export function standInPassword(length: number): string {
  return Array.from(randomBytes(length), (byte) => PASSWORD_CHARACTERS[byte % PASSWORD_CHARACTERS.length]).join("");
}

/** Renders `{{ .key }}` references of an ESO v2 template value; a key with no value is an error, as in ESO. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*\.([A-Za-z0-9_-]+)\s*\}\}/g, (_match, key: string) => {
    if (!(key in values)) throw new Error(`template references .${key}, not among ${Object.keys(values).join(", ")}`);
    return values[key];
  });
}

/** The generators' values (`dataFrom[].sourceRef.generatorRef`): ESO's Password generator gives the key `password`. */
async function generatedValues(kube: KubeRest, externalSecret: ExternalSecret): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const source of externalSecret.spec.dataFrom ?? []) {
    const ref = source.sourceRef?.generatorRef;
    if (!ref) throw new Error(`ExternalSecret ${externalSecret.metadata.name}: dataFrom without sourceRef.generatorRef is not simulated`);
    if (ref.kind !== "Password") throw new Error(`ExternalSecret ${externalSecret.metadata.name}: generator kind ${ref.kind} is not simulated (Password is)`);
    const generator = await kube.get<KubeObject & { spec?: { length?: number } }>(
      `/apis/${ref.apiVersion}/namespaces/${externalSecret.metadata.namespace}/passwords/${ref.name}`,
    );
    if (!generator) throw new Error(`ExternalSecret ${externalSecret.metadata.name}: Password ${ref.name} not found`);
    values.password = standInPassword(generator.spec?.length ?? 24);
  }
  return values;
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
      const secretsPath = `/api/v1/namespaces/${namespace}/secrets`;
      if (!(await kube.get(`${secretsPath}/${target}`))) {
        const sourced = {
          ...Object.fromEntries(
            (externalSecret.spec.data ?? []).map((item) => [item.secretKey, standInSecretValue(item.remoteRef.key, item.remoteRef.property)]),
          ),
          ...(await generatedValues(kube, externalSecret)),
        };
        const template = externalSecret.spec.target?.template?.data;
        const values = template ? Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderTemplate(value, sourced)])) : sourced;
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
