// Stand-in for Crossplane + provider-aws-rds reconciling a `PostgresInstance` (the XR of
// platform-apps/manifests/crossplane/apis). Neither Crossplane's images nor AWS are
// reachable here, so this does only what Argo CD and the service observe of them:
// 1. Crossplane's XRD controller serves the XR kind as a CRD (`postgresInstanceCrd`): the
//    XRD's group, names, scope and versions, with a status subresource;
// 2. on first sight the composition has run: `Synced=True` (ReconcileSuccess) and
//    `Ready=False` (Creating), as Crossplane reports while RDS creates the instance;
// 3. after `readyAfterMs` (RDS available) function-patch-and-transform's composed
//    connection Secret `spec.connectionSecretName` exists in the XR's namespace with the
//    keys the compositions write (username, password, host, port, database), owned by the
//    XR, and then `Ready=True` (Available): function-auto-ready's verdict.
// So the Lua health check the stack records for argocd-cm decides when wave -2 is done.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { conditionOf, controllerReference, type KubeObject, type KubeRest } from "./kube-rest";
import { now, runStandIn, secretData, type StandIn } from "./stand-in";

const XRD_FILE = path.resolve(__dirname, "..", "..", "..", "platform-apps", "manifests", "crossplane", "apis", "xrd-postgresinstance.yaml");

interface XrdSpec {
  group: string;
  names: { kind: string; plural: string };
  scope: string;
  versions: Array<{
    name: string;
    served: boolean;
    referenceable: boolean;
    schema: { openAPIV3Schema: Record<string, unknown> };
    additionalPrinterColumns?: unknown[];
  }>;
}

interface PostgresInstance extends KubeObject {
  spec: { connectionSecretName: string; databaseName: string; storageGB: number; engineVersion?: string };
}

export const POSTGRES_GROUP = "platform.holodeck.dev";

/** The XRD of the platform, as committed. */
export function postgresInstanceXrd(): { spec: XrdSpec } {
  return parse(fs.readFileSync(XRD_FILE, "utf8")) as { spec: XrdSpec };
}

/** The CRD Crossplane's XRD controller serves for the XR (status open, as Crossplane's own fields are). */
export function postgresInstanceCrd(): KubeObject {
  const xrd = postgresInstanceXrd().spec;
  const plural = xrd.names.plural;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${xrd.group}` },
    spec: {
      group: xrd.group,
      names: { kind: xrd.names.kind, plural, singular: xrd.names.kind.toLowerCase(), listKind: `${xrd.names.kind}List`, categories: ["composite"] },
      scope: xrd.scope,
      versions: xrd.versions.map((version) => {
        const schema = version.schema.openAPIV3Schema as { properties?: Record<string, unknown> };
        return {
          name: version.name,
          served: version.served,
          storage: version.referenceable,
          subresources: { status: {} },
          ...(version.additionalPrinterColumns ? { additionalPrinterColumns: version.additionalPrinterColumns } : {}),
          schema: {
            openAPIV3Schema: {
              ...schema,
              properties: { ...schema.properties, status: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            },
          },
        };
      }),
    },
  };
}

export interface PostgresStandInOptions {
  /** How long "RDS" takes to become available after the XR is first seen. */
  readyAfterMs: number;
}

export function startCrossplanePostgres(kube: KubeRest, options: PostgresStandInOptions): StandIn {
  const version = postgresInstanceXrd().spec.versions[0].name;
  const collection = `/apis/${POSTGRES_GROUP}/${version}/postgresinstances`;
  const objectPath = (xr: KubeObject): string => `/apis/${POSTGRES_GROUP}/${version}/namespaces/${xr.metadata.namespace}/postgresinstances/${xr.metadata.name}`;
  const synced = { type: "Synced", status: "True", reason: "ReconcileSuccess" };
  return runStandIn<PostgresInstance>({
    name: "crossplane-postgres",
    kube,
    collectionPath: collection,
    reconcile: async (xr, seenForMs) => {
      if (conditionOf(xr, "Ready")?.status === "True") return;
      if (!conditionOf(xr, "Synced")) {
        const creating = { type: "Ready", status: "False", reason: "Creating", message: "Composite resource is being created" };
        await kube.mergePatch(`${objectPath(xr)}/status`, {
          status: {
            conditions: [
              { ...synced, lastTransitionTime: now() },
              { ...creating, lastTransitionTime: now() },
            ],
          },
        });
        return;
      }
      if (seenForMs < options.readyAfterMs) return;
      const namespace = xr.metadata.namespace ?? "";
      const secretPath = `/api/v1/namespaces/${namespace}/secrets`;
      if (!(await kube.get(`${secretPath}/${xr.spec.connectionSecretName}`))) {
        await kube.create(secretPath, {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: xr.spec.connectionSecretName, namespace, ownerReferences: [controllerReference(xr)] },
          type: "connection.crossplane.io/v1alpha1",
          data: secretData({
            username: "app",
            password: `stand-in-password-${xr.metadata.uid ?? ""}`,
            host: `${xr.metadata.name}.stand-in.eu-west-1.rds.amazonaws.com`,
            port: "5432",
            database: xr.spec.databaseName,
          }),
        });
      }
      const available = { type: "Ready", status: "True", reason: "Available" };
      const syncedNow = conditionOf(xr, "Synced");
      await kube.mergePatch(`${objectPath(xr)}/status`, { status: { conditions: [syncedNow, { ...available, lastTransitionTime: now() }] } });
    },
  });
}
