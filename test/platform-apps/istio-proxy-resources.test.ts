// The Istio sidecar declares ephemeral storage like every other container (the kubelet evicts by
// it when a node's disk fills): istiod's values set global.proxy.resources, which the injection
// template copies onto every injected istio-proxy (and the istio-validation init container).
// Source of the key and of the defaults Helm merges ours into: istio/istio tag 1.30.3,
// manifests/charts/istio-control/istio-discovery/values.yaml (`_internal_defaults_do_not_set.
// global.proxy.resources`, set without the wrapper) and files/injection-template.yaml (template
// "resources"); both unchanged on release-1.30 as of 2026-08-21.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applicationsFor, REPO_ROOT, type Application, type Doc } from "./platform";
import { at, chartSource, helmValues, mergeValues } from "./values";

/** The chart's own sidecar resources at 1.30.3 (values.yaml); our values are merged into them. */
const CHART_PROXY_RESOURCES: Doc = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2000m", memory: "1024Mi" } };

/**
 * Pod annotations that make the injection template take the sidecar's requests and limits from
 * the annotations alone (cpu/memory), dropping global.proxy.resources and so the ephemeral storage.
 */
const OVERRIDING_ANNOTATIONS = /sidecar\.istio\.io\/proxy(CPU|Memory)(Limit)?\b/;

function textFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : textFiles(full);
    return /\.(ya?ml|tpl|jinja|txt|md|json)$/.test(entry.name) ? [full] : [];
  });
}

const istiod = (environment: "staging" | "production"): Application => {
  const app = applicationsFor(environment).find((a) => a.metadata.name === "istiod");
  if (!app) throw new Error(`no istiod Application in ${environment}`);
  return app;
};

describe("the Istio sidecar's resources (platform-apps/values/istiod)", () => {
  let apps: Record<"staging" | "production", Application>;
  beforeAll(() => {
    apps = { staging: istiod("staging"), production: istiod("production") };
  });

  it("are checked against the istiod chart of the pinned minor, 1.30", () => {
    expect(chartSource(apps.production).chart).toBe("istiod");
    expect(chartSource(apps.production).targetRevision).toMatch(/^1\.30\.\d+$/);
  });

  it.each(["staging", "production"] as const)("%s: global.proxy.resources request 64Mi and limit 256Mi of ephemeral storage, nothing else", (environment) => {
    expect(at(helmValues(apps[environment]), "global", "proxy", "resources")).toEqual({
      requests: { "ephemeral-storage": "64Mi" },
      limits: { "ephemeral-storage": "256Mi" },
    });
  });

  it("merged into the chart's defaults, every injected sidecar requests cpu, memory and ephemeral storage", () => {
    const ours = at(helmValues(apps.production), "global", "proxy", "resources") as Doc;
    expect(mergeValues(CHART_PROXY_RESOURCES, ours)).toEqual({
      requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "2000m", memory: "1024Mi", "ephemeral-storage": "256Mi" },
    });
  });

  it("are not bypassed: nothing in the charts, the service template or platform-apps sets the proxyCPU/proxyMemory annotations", () => {
    const files = ["charts", "templates", "platform-apps"].flatMap((dir) => textFiles(path.join(REPO_ROOT, dir)));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => OVERRIDING_ANNOTATIONS.test(fs.readFileSync(f, "utf8"))).map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });
});
