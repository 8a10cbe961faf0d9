// The version tables: every EKS add-on has a version for every accepted Kubernetes version and
// the stacks deploy exactly those; every accepted version has dated support with a source; every
// bootstrap pin says where its version comes from.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CHARTS, IMAGES } from "../../bootstrap/versions";
import { EKS_ADDON_VERSIONS, EKS_ADDONS, eksAddonVersion } from "../../components/cluster-addons";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../../model";
import { EKS_RELEASE_CALENDAR } from "../../stacks/config-rules";
import { listStacks, recordedStack, REPO_ROOT, stackConfig } from "../harness/stacks";

describe("EKS_ADDON_VERSIONS (components/cluster-addons.ts)", () => {
  it("has exactly one version of every managed add-on for every accepted Kubernetes version", () => {
    expect(Object.keys(EKS_ADDON_VERSIONS).sort()).toEqual([...KUBERNETES_VERSIONS].sort());
    for (const version of KUBERNETES_VERSIONS) {
      expect(Object.keys(EKS_ADDON_VERSIONS[version]).sort(), version).toEqual([...EKS_ADDONS].sort());
      for (const addon of EKS_ADDONS) expect(EKS_ADDON_VERSIONS[version][addon], `${version} ${addon}`).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    }
  });

  it("gives kube-proxy the cluster's own minor version, and never moves an add-on backwards on an upgrade", () => {
    for (const version of KUBERNETES_VERSIONS) expect(EKS_ADDON_VERSIONS[version]["kube-proxy"]).toMatch(new RegExp(`^v${version.replace(".", "\\.")}\\.`));
    const numbers = (v: string) =>
      v
        .replace(/^v/, "")
        .split(/[.-]|eksbuild\./)
        .filter(Boolean)
        .map(Number);
    const notOlder = (a: string, b: string) => {
      const [x, y] = [numbers(a), numbers(b)];
      const diff = x.map((n, i) => n - (y[i] ?? 0)).find((d) => d !== 0) ?? 0;
      return diff >= 0;
    };
    for (let i = 1; i < KUBERNETES_VERSIONS.length; i++) {
      const [older, newer] = [KUBERNETES_VERSIONS[i - 1], KUBERNETES_VERSIONS[i]];
      for (const addon of EKS_ADDONS)
        expect(notOlder(EKS_ADDON_VERSIONS[newer][addon], EKS_ADDON_VERSIONS[older][addon]), `${addon} ${older} -> ${newer}`).toBe(true);
    }
  });

  it("refuses a Kubernetes version without a row, naming the table and the allowed versions", () => {
    expect(() => eksAddonVersion("1.34", "coredns")).toThrow(
      "components/cluster-addons.ts EKS_ADDON_VERSIONS: no row for Kubernetes 1.34 (allowed: 1.35 | 1.36)",
    );
  });

  it.each(listStacks())("%s deploys the table's version of each add-on for its Kubernetes version", (stack) => {
    const version = stackConfig(stack)["holodeck:kubernetesVersion"] as KubernetesVersion;
    const addons = recordedStack(stack).byType("aws:eks/addon:Addon");
    expect(addons.map((addon) => `${String(addon.inputs["addonName"])} ${String(addon.inputs["addonVersion"])}`).sort()).toEqual(
      EKS_ADDONS.map((addon) => `${addon} ${EKS_ADDON_VERSIONS[version][addon]}`).sort(),
    );
    expect(
      recordedStack(stack)
        .byType("aws:eks/cluster:Cluster")
        .map((cluster) => cluster.inputs["version"]),
    ).toEqual([version]);
  });
});

describe("EKS_RELEASE_CALENDAR (stacks/config-rules.ts)", () => {
  it("dates every accepted version, newest last, with a source and the day it was checked", () => {
    const ends = KUBERNETES_VERSIONS.map((version) => EKS_RELEASE_CALENDAR[version].endOfStandardSupport);
    expect(ends).toEqual([...ends].sort());
    for (const version of KUBERNETES_VERSIONS) {
      const { release, endOfStandardSupport, source } = EKS_RELEASE_CALENDAR[version];
      expect(
        [release, endOfStandardSupport].every((day) => /^\d{4}-\d{2}-\d{2}$/.test(day)),
        version,
      ).toBe(true);
      expect(source, version).toMatch(/^.{20,}, checked \d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe("bootstrap pins (bootstrap/versions.ts)", () => {
  // The comment right above each pin says where its version comes from.
  const text = readFileSync(path.join(REPO_ROOT, "bootstrap", "versions.ts"), "utf8").split("\n");
  const commentAbove = (key: string): string => {
    const at = text.findIndex((line) => new RegExp(`^\\s+${key}: `).test(line));
    expect(at, key).toBeGreaterThan(0);
    const comment: string[] = [];
    for (let i = at - 1; i >= 0 && text[i].trim().startsWith("//"); i--) comment.unshift(text[i].trim());
    return comment.join(" ");
  };

  it.each([...Object.keys(CHARTS), ...Object.keys(IMAGES)])("%s has a Source comment", (key) => {
    expect(commentAbove(key)).toMatch(/Source: \S+/);
  });
});
