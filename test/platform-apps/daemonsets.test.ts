// Every DaemonSet the platform deploys runs on every node it must: logs (Alloy), node metrics
// (node-exporter), the CNI (VPC CNI, istio-cni), kube-proxy and the EBS CSI node plugin belong
// on every node, system nodes included. Their effective tolerations (the pinned chart's default,
// replaced by the values we set, as Helm replaces lists) are checked against the taints of every
// node group and Karpenter pool each stack records, with Kubernetes' matching rules. The table is
// kept by hand, so every deployer (platform ApplicationSet charts, bootstrap charts, EKS add-ons)
// must be in it or in daemonset-inventory.ts's list of those that run no DaemonSet.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CHARTS } from "../../bootstrap/versions";
import { EKS_ADDON_VERSIONS, EKS_ADDONS, type EksAddonName } from "../../components/cluster-addons";
import { SYSTEM_TAINT } from "../../model";
import { kubernetesObjects } from "../bootstrap/helpers";
import { listStacks, recordedStack, type StackRecording } from "../harness/stacks";
import { chartName, deployers, NO_DAEMONSET, OPTIONAL_DAEMONSETS_OFF } from "./daemonset-inventory";
import { at, DAEMONSETS, nodeTaints, platformValues, tolerates, type Taint } from "./daemonsets";
import { PLATFORM_DIR, readDocs, yamlFiles, type Doc } from "./platform";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("the toleration matcher (Kubernetes rules)", () => {
  const system: Taint = { ...SYSTEM_TAINT };
  it("matches exactly as the scheduler does", () => {
    expect(tolerates({ operator: "Exists" }, system)).toBe(true);
    expect(tolerates({ key: "CriticalAddonsOnly", operator: "Exists" }, system)).toBe(true);
    expect(tolerates({ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" }, system)).toBe(true);
    expect(tolerates({ effect: "NoSchedule", operator: "Exists" }, system)).toBe(true);
    expect(tolerates({ effect: "NoExecute", operator: "Exists" }, system)).toBe(false);
    expect(tolerates({ key: "CriticalAddonsOnly", value: "false" }, system)).toBe(false);
    expect(tolerates({ key: "other", operator: "Exists" }, system)).toBe(false);
  });
});

describe("raw manifests", () => {
  it("hold no DaemonSet outside the table above", () => {
    const daemonsets = yamlFiles(path.join(PLATFORM_DIR, "manifests")).flatMap((file) =>
      readDocs(file)
        .filter((doc) => doc.kind === "DaemonSet")
        .map(() => path.relative(PLATFORM_DIR, file)),
    );
    expect(daemonsets).toEqual([]);
  });
});

describe("every deployer is in the DaemonSet table or listed as running none (daemonset-inventory.ts)", () => {
  const all = [...new Set(deployers().map((d) => d.deployer))];
  const inTable = DAEMONSETS.map((d) => d.deployedBy);
  const without = NO_DAEMONSET.map((d) => d.deployer);

  it("derives the deployers from the ApplicationSets' charts, CHARTS and EKS_ADDONS", () => {
    expect(all.filter((d) => d.startsWith("bootstrap chart ")).sort()).toEqual(
      Object.values(CHARTS)
        .map((c) => `bootstrap chart ${chartName(c.chart)}`)
        .sort(),
    );
    expect(all.filter((d) => d.startsWith("EKS add-on "))).toEqual(EKS_ADDONS.map((a) => `EKS add-on ${a}`));
    expect(all).toContain("platform chart loki");
    expect(all).toContain("platform chart oauth2-proxy");
  });

  it("accounts for every deployer exactly once, and lists none that is not deployed", () => {
    const pinned = new Map(deployers().map((d) => [d.deployer, d.pinnedIn]));
    const missing = all.filter((d) => !inTable.includes(d) && !without.includes(d)).map((d) => `${d} (${pinned.get(d)})`);
    expect(missing, "add it to DAEMONSETS (daemonsets.ts) or, with the reason, to NO_DAEMONSET (daemonset-inventory.ts)").toEqual([]);
    expect([...inTable, ...without].filter((d) => !all.includes(d))).toEqual([]);
    expect(without.filter((d, i) => inTable.includes(d) || without.indexOf(d) !== i)).toEqual([]);
  });

  it("every entry was read at the version pinned now (a bump needs a new read)", () => {
    const version = new Map(deployers().map((d) => [d.deployer, d.version]));
    // The version as a whole word ("1.3.2" in "helm-chart-1.3.2", not in "1.3.21"; an EKS add-on's "-eksbuild.N" aside).
    const names = (text: string, pinned: string): boolean =>
      new RegExp(
        `(^|[^0-9.])v?${pinned
          .replace(/^v/, "")
          .replace(/-eksbuild\.\d+$/, "")
          .replaceAll(".", "\\.")}([^0-9]|$)`,
      ).test(text);
    const addonVersions = (addon: EksAddonName): string[] => [...new Set(Object.values(EKS_ADDON_VERSIONS).map((v) => v[addon]))];
    const stale = [
      ...NO_DAEMONSET.map((d) => ({ deployer: d.deployer, text: d.reason, pinned: version.get(d.deployer) })),
      ...DAEMONSETS.map((d) => ({ deployer: d.deployedBy, text: `${d.name} ${d.source}`, pinned: version.get(d.deployedBy) })),
    ]
      .filter(({ text, pinned }) => pinned !== undefined && !names(text, pinned))
      .map(({ deployer, text, pinned }) => `${deployer}: pinned ${pinned}, read: ${text}`);
    // The EKS add-ons whose tolerations were read at their pinned build (kube-proxy's could not be: daemonsets.ts).
    for (const addon of ["vpc-cni", "aws-ebs-csi-driver"] as const) {
      const entry = DAEMONSETS.find((d) => d.deployedBy === `EKS add-on ${addon}`)!;
      stale.push(
        ...addonVersions(addon)
          .filter((v) => !names(entry.source, v))
          .map((v) => `EKS add-on ${addon}: pinned ${v}, read: ${entry.source}`),
      );
    }
    expect(stale).toEqual([]);
  });

  it("the charts' optional DaemonSets stay off: in both environments' values and every stack's releases", () => {
    const checked: [string, unknown][] = [];
    for (const { deployer, values, key, chartDefault, off } of OPTIONAL_DAEMONSETS_OFF) {
      const seen: unknown[] = [];
      if (values === "release") {
        const stacks = listStacks().flatMap((s) => [recordedStack(s), recordedStack(s, "ingress-nginx-edge")]);
        for (const release of stacks.flatMap((rec) => rec.byType(RELEASE)).filter((r) => `bootstrap chart ${chartName(String(r.inputs.chart))}` === deployer)) {
          seen.push(at(release.inputs.values as Doc, ...key) ?? chartDefault);
        }
      } else {
        for (const environment of ["staging", "production"]) seen.push(at(platformValues(values, environment), ...key) ?? chartDefault);
      }
      expect(seen.length, `${deployer}: nothing deploys it`).toBeGreaterThan(0);
      checked.push(...seen.filter((v) => !off.includes(v)).map((v): [string, unknown] => [`${deployer} ${key.join(".")}`, v]));
    }
    expect(checked).toEqual([]);
  });

  it("the local charts under platform-apps/charts template no DaemonSet", () => {
    const templates = yamlFiles(path.join(PLATFORM_DIR, "charts")).filter((f) => f.includes(`${path.sep}templates${path.sep}`));
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.filter((f) => /kind:\s*DaemonSet/.test(readFileSync(f, "utf8"))).map((f) => path.relative(PLATFORM_DIR, f))).toEqual([]);
  });
});

describe.each(listStacks())("stack %s", (stack) => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it("records the system group's CriticalAddonsOnly taint and the workload pool's (none)", () => {
    const taints = [...nodeTaints(rec)].map(([name, list]) => [name.replace(/^[a-z0-9]+-[a-z0-9]+-/, ""), list]);
    expect(taints).toEqual([
      ["system-ng", [{ ...SYSTEM_TAINT }]],
      ["bootstrap-karpenter-pools-node-pool", []],
    ]);
  });

  it("applies no DaemonSet of its own, installs only pinned charts, and keeps the EKS add-ons' default tolerations", () => {
    expect(kubernetesObjects(rec).filter((r) => r.inputs.kind === "DaemonSet")).toEqual([]);
    const pinned = Object.values(CHARTS).map((c) => c.chart as string);
    expect(rec.byType(RELEASE).filter((r) => !pinned.includes(String(r.inputs.chart)))).toEqual([]);
    const addons = rec.byType("aws:eks/addon:Addon");
    expect(addons.map((a) => a.inputs.addonName).sort()).toEqual([...EKS_ADDONS].sort());
    // The table hard-codes the add-ons' tolerations: a configuration that sets tolerations (or
    // turns off the EBS CSI node's tolerateAllTaints) would make it wrong.
    const overrides = addons.flatMap((a) => {
      const raw = a.inputs.configurationValues;
      if (raw !== undefined && typeof raw !== "string") throw new Error(`${a.name}: configurationValues is not a JSON string`);
      const config = raw === undefined ? {} : (JSON.parse(raw) as Doc);
      return "tolerations" in config || at(config, "node", "tolerations") !== undefined || at(config, "node", "tolerateAllTaints") !== undefined
        ? [a.inputs.addonName]
        : [];
    });
    expect(overrides).toEqual([]);
  });

  it("runs Envoy (gateway edge) as a Deployment, never an envoyDaemonSet", () => {
    const proxies = kubernetesObjects(rec).filter((r) => r.inputs.kind === "EnvoyProxy");
    expect(proxies).toHaveLength(1);
    const workloadKinds = Object.keys(at(proxies[0].inputs, "spec", "provider", "kubernetes") as Doc).filter((k) => /^envoy(Deployment|DaemonSet)$/.test(k));
    expect(workloadKinds).toEqual(["envoyDeployment"]);
  });

  it.each(DAEMONSETS)("$name tolerates every NoSchedule/NoExecute taint of every node group and pool", ({ tolerations, source }) => {
    const environment = stack.startsWith("production-") ? "production" : "staging";
    const missing = [...nodeTaints(rec)].flatMap(([node, taints]) =>
      taints
        .filter((taint) => taint.effect !== "PreferNoSchedule" && !tolerations(environment).some((t) => tolerates(t, taint)))
        .map((t) => `${node}: ${t.key}=${t.value}:${t.effect}`),
    );
    expect(missing, source).toEqual([]);
  });
});
