// The default StorageClass `gp3`: exact fields per stack, schema, its place in the create
// order (after the EBS CSI add-on, before Vault's raft PVCs), and across the parts: every
// storage class any chart, value file or manifest asks for is the one the bootstrap makes.
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { DEFAULT_STORAGE_CLASS } from "../../bootstrap/storage/storage-class";
import { validateManifest } from "../harness/k8s-schema";
import { PLATFORM_DIR, plainPlatformYamlFiles } from "../platform-apps/platform";
import { recordedStack, REPO_ROOT, type RecordedResource, type StackRecording } from "../harness/stacks";
import { STACKS, input, k8sObject, kubernetesObjects, release, waitsFor, type Json } from "./helpers";

describe.each(STACKS)("%s default StorageClass", (stack) => {
  let rec: StackRecording;
  let storageClass: RecordedResource;
  beforeAll(() => {
    rec = recordedStack(stack);
    storageClass = k8sObject(rec, "StorageClass", "gp3");
  });

  it("is the only StorageClass and the cluster default: gp3, encrypted, retained, zonal binding, expandable", () => {
    expect(kubernetesObjects(rec).filter((o) => o.inputs.kind === "StorageClass")).toHaveLength(1);
    expect(input(storageClass, "apiVersion")).toBe("storage.k8s.io/v1");
    expect(input(storageClass, "metadata.annotations")).toEqual({ "storageclass.kubernetes.io/is-default-class": "true" });
    expect(input(storageClass, "provisioner")).toBe("ebs.csi.aws.com");
    expect(input(storageClass, "parameters")).toEqual({ type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" });
    expect(input(storageClass, "reclaimPolicy")).toBe("Retain");
    expect(input(storageClass, "volumeBindingMode")).toBe("WaitForFirstConsumer");
    expect(input(storageClass, "allowVolumeExpansion")).toBe(true);
    validateManifest(storageClass.inputs, `${stack} ${storageClass.name}`);
  });

  it("is created through the cluster's provider, which waits for the aws-ebs-csi-driver add-on", () => {
    const providerUrn = storageClass.provider?.split("::").slice(0, -1).join("::");
    const provider = rec.resources.find((r) => r.urn === providerUrn);
    if (!provider) throw new Error(`no provider ${String(storageClass.provider)} for ${storageClass.name}`);
    expect(provider.type).toBe("pulumi:providers:kubernetes");
    const ebsCsi = rec.byType("aws:eks/addon:Addon").filter((a) => a.inputs.addonName === "aws-ebs-csi-driver");
    expect(ebsCsi).toHaveLength(1);
    expect(waitsFor(rec, provider, ebsCsi[0])).toBe(true);
  });

  it("exists before Vault's release (its raft PVCs use the default class)", () => {
    const vault = release(rec, "vault");
    expect(waitsFor(rec, vault, storageClass)).toBe(true);
    const dataStorage = input<Json>(vault, "values.server.dataStorage");
    expect(dataStorage.enabled).toBe(true);
    // No class named: the PVCs take the default, which is this class.
    expect(dataStorage.storageClass ?? DEFAULT_STORAGE_CLASS).toBe(DEFAULT_STORAGE_CLASS);
  });

  it("every storage class a bootstrap release names exists", () => {
    for (const r of rec.byType("kubernetes:helm.sh/v3:Release")) {
      for (const use of storageClassUses(r.inputs.values, `${String(r.inputs.chart)} values`)) expect(use).toEqual({ ...use, value: DEFAULT_STORAGE_CLASS });
    }
  });
});

describe("storage classes across the parts", () => {
  // platform-apps' own charts hold Helm templates (not YAML): read like the charts.
  const platformTemplates = yamlFiles(path.join(PLATFORM_DIR, "charts")).filter((file) => file.includes(`${path.sep}templates${path.sep}`));
  const uses = [...plainPlatformYamlFiles().flatMap(yamlUses), ...[...yamlFiles(path.join(REPO_ROOT, "charts")), ...platformTemplates].flatMap(templateUses)];

  it("finds the known volumes (the scan is not vacuous)", () => {
    expect(uses.map((u) => u.where)).toEqual(
      expect.arrayContaining([
        "platform-apps/values/nats/common.yaml",
        "platform-apps/values/grafana/common.yaml",
        "platform-apps/values/kube-prometheus-stack/production.yaml",
        "platform-apps/values/kube-prometheus-stack/staging.yaml",
        "platform-apps/values/loki/common.yaml",
        "platform-apps/manifests/jaeger/production-badger-pvc.yaml",
      ]),
    );
  });

  it("every storageClassName / storageClass in platform-apps and charts/ is gp3, the bootstrap's default class", () => {
    for (const use of uses) expect(use).toEqual({ ...use, value: DEFAULT_STORAGE_CLASS });
  });

  it("fails when a value names a class nobody creates", () => {
    expect(storageClassUses({ persistence: { storageClassName: "gp2" } }, "x")).toEqual([{ where: "x", key: "persistence.storageClassName", value: "gp2" }]);
  });
});

interface StorageClassUse {
  where: string;
  key: string;
  value: unknown;
}

const STORAGE_KEYS = new Set(["storageClassName", "storageClass"]);

function storageClassUses(node: unknown, where: string, key = ""): StorageClassUse[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => storageClassUses(item, where, `${key}[${i}]`));
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node as Json).flatMap(([k, v]) => {
    const at = key ? `${key}.${k}` : k;
    return STORAGE_KEYS.has(k) && (typeof v === "string" || v === null) ? [{ where, key: at, value: v }] : storageClassUses(v, where, at);
  });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.(ya?ml|tpl)$/.test(entry) ? [full] : [];
  });
}

function yamlUses(file: string): StorageClassUse[] {
  const where = path.relative(REPO_ROOT, file);
  return parseAllDocuments(readFileSync(file, "utf8")).flatMap((doc) => storageClassUses(doc.toJS(), where));
}

/** Chart files may be templates (not YAML): read `storageClass(Name): <value>` lines. */
function templateUses(file: string): StorageClassUse[] {
  const where = path.relative(REPO_ROOT, file);
  return [...readFileSync(file, "utf8").matchAll(/\b(storageClass(?:Name)?):\s*(\S+)/g)].map((m) => ({
    where,
    key: m[1],
    value: m[2].replace(/^["']|["']$/g, ""),
  }));
}
