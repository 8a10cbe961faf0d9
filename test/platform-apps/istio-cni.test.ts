// Istio's CNI node agent: meshed pods of the service chart run under Pod Security
// "restricted", which forbids the NET_ADMIN/NET_RAW istio-init container. istio-cni takes
// over the traffic redirection; istiod must know (cni.enabled) to inject istio-validation
// instead. Same chart repo and version as the other Istio charts, synced between them,
// gated by the same enable_istio label, values keys exactly the ones checked against the
// pinned charts' values.yaml.
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../model/environment";
import { applicationsFor, clusterSecret, loadAppSets, type Application, type Doc } from "./platform";
import { renderForCluster } from "./template";
import { at, chartSource, helmValues } from "./values";

const ISTIO_APPS = ["istio-base", "istio-cni", "istiod"];
const waveOf = (app: Application): number => Number(app.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);

describe.each(ENVIRONMENTS)("istio-cni in %s", (environment) => {
  let apps: Record<string, Application> = {};

  beforeAll(() => {
    const rendered = applicationsFor(environment);
    apps = Object.fromEntries(
      ISTIO_APPS.map((name) => {
        const app = rendered.find((a) => a.metadata.name === name);
        if (!app) throw new Error(`no Application ${name} in ${environment}`);
        return [name, app];
      }),
    );
  });

  it("installs chart cni from the Istio repo at exactly istiod's (and istio-base's) version", () => {
    const cni = chartSource(apps["istio-cni"]);
    const istiod = chartSource(apps.istiod);
    expect([cni.repoURL, cni.chart, cni.helm?.releaseName]).toEqual(["https://istio-release.storage.googleapis.com/charts", "cni", "istio-cni"]);
    expect(cni.targetRevision).toBe(istiod.targetRevision);
    expect(cni.repoURL).toBe(istiod.repoURL);
    expect(chartSource(apps["istio-base"]).targetRevision).toBe(istiod.targetRevision);
  });

  it("syncs after istio-base and before istiod (wave -4 < -3 < -2), in istio-system", () => {
    expect(ISTIO_APPS.map((name) => waveOf(apps[name]))).toEqual([-4, -3, -2]);
    expect(ISTIO_APPS.map((name) => apps[name].spec.destination.namespace)).toEqual(["istio-system", "istio-system", "istio-system"]);
  });

  it("istiod injects for CNI: cni.enabled is true (istio-validation, no istio-init)", () => {
    const values = helmValues(apps.istiod);
    expect(at(values, "cni")).toEqual({ enabled: true });
    // The legacy prefix would be merged over the key above; it must not contradict it.
    expect(at(values, "pilot")).toBeUndefined();
  });

  it("the node agent chains onto the VPC CNI, sidecar mode only, chart paths and no platform profile", () => {
    const values = helmValues(apps["istio-cni"]);
    expect(values).toEqual({ chained: true, ambient: { enabled: false } });
    // A `cni.` prefix (older charts) or an unknown global.platform would be ignored / fail.
    for (const key of ["cni", "global", "profile", "platform", "cniConfDir", "cniBinDir"]) expect(at(values, key), key).toBeUndefined();
  });
});

describe("istio-cni ApplicationSet", () => {
  const appsets = loadAppSets().map(({ appset }) => appset);
  const selectorOf = (name: string): unknown => {
    const appset = appsets.find((a) => (a.metadata as { name: string }).name === name);
    if (!appset) throw new Error(`no ApplicationSet ${name}`);
    return at(appset.spec as Doc, "generators", "0", "clusters", "selector");
  };

  it("is gated by the same enable_istio label as istio-base and istiod", () => {
    expect(selectorOf("istio-cni")).toEqual({ matchLabels: { enable_istio: "true" } });
    expect(selectorOf("istio-base")).toEqual(selectorOf("istio-cni"));
    expect(selectorOf("istiod")).toEqual(selectorOf("istio-cni"));
  });

  it("without enable_istio no Istio Application is generated, the others still are", () => {
    const namesFor = (cluster: ReturnType<typeof clusterSecret>): string[] =>
      renderForCluster(appsets, cluster)
        .flat()
        .map((app) => (app as Application).metadata.name)
        .sort();
    const withIstio = namesFor(clusterSecret("production"));
    // Every ApplicationSet makes its one Application for a production cluster labelled for Istio.
    expect(withIstio.length).toBe(appsets.length);
    const cluster = clusterSecret("production");
    delete cluster.metadata.labels.enable_istio;
    const names = namesFor(cluster);
    expect(names.filter((name) => ISTIO_APPS.includes(name))).toEqual([]);
    expect(names).toContain("kiali");
    expect(names).toEqual(withIstio.filter((name) => !ISTIO_APPS.includes(name)));
  });
});
