// The services ApplicationSet Pulumi writes, rendered the way Argo CD renders it, for the
// exact services-root file of the acceptance case (contracts §4).
import { beforeAll, describe, expect, it } from "vitest";
import { renderApplicationSet, type Manifest } from "../harness/appset-render";
import { recordedStack, type StackRecording } from "../harness/stacks";
import { validateManifest } from "../harness/k8s-schema";
import { k8sObject, useBootstrapCrds } from "./helpers";

useBootstrapCrds();

const SHA = "a2a7d76d9f6af65f96fd46cc92bcee7f065d8514";
const FILE = `{"cluster": "staging", "service": "python-example", "team": "checkout", "domain": "services", "imageTag": "${SHA}", "targetRevision": "${SHA}"}`;

describe("services ApplicationSet of staging-eu-west-1, rendered by Go text/template + sprig", () => {
  let rec: StackRecording;
  let appSet: Manifest;
  beforeAll(() => {
    rec = recordedStack("staging-eu-west-1");
    appSet = k8sObject(rec, "ApplicationSet", "services").inputs;
  });

  it("gives exactly the expected Application for staging/python-example.json", () => {
    const apps = renderApplicationSet(appSet, { "staging/python-example.json": FILE });
    expect(apps).toEqual([
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
          name: "python-example",
          labels: {
            "holodeck.dev/service": "python-example",
            "holodeck.dev/team": "checkout",
            "holodeck.dev/domain": "services",
            "holodeck.dev/cluster": "staging",
          },
          finalizers: ["resources-finalizer.argocd.argoproj.io"],
        },
        spec: {
          project: "team-checkout",
          source: {
            repoURL: "https://gitlab.com/holodeck/services/python-example.git",
            targetRevision: SHA,
            path: "helm",
            helm: {
              parameters: [
                { name: "holodeck-service.image.tag", value: SHA, forceString: true },
                { name: "global.platform.service", value: "python-example" },
                { name: "global.platform.domain", value: "services" },
                { name: "global.platform.team", value: "checkout" },
                { name: "global.clusterDomain", value: "staging.eu-west-1.holodeck.dev" },
                { name: "global.environment", value: "staging" },
                { name: "global.imageRegistry", value: "210987654321.dkr.ecr.eu-west-1.amazonaws.com" },
                { name: "global.vpcCidr", value: "10.20.0.0/16" },
                { name: "global.edge", value: "gateway" },
                { name: "global.gateway.namespace", value: "envoy-gateway-system" },
                { name: "global.gateway.name", value: "holodeck" },
                { name: "global.gateway.sectionName", value: "https-services" },
              ],
            },
          },
          destination: { server: "https://kubernetes.default.svc", namespace: "python-example" },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            retry: { limit: 20, backoff: { duration: "15s", factor: 2, maxDuration: "5m" } },
          },
        },
      },
    ]);
    validateManifest({ ...apps[0], metadata: { ...(apps[0].metadata as Manifest), namespace: "argocd" } }, "rendered Application");
  });

  it("reads only its environment's folder (a production file is not deployed to staging)", () => {
    const apps = renderApplicationSet(appSet, {
      "staging/python-example.json": FILE,
      "production/python-example.json": FILE.replace('"staging"', '"production"'),
      "staging/README.md": "not a service",
    });
    expect(apps.map((a) => (a.metadata as { name: string }).name)).toEqual(["python-example"]);
  });

  it.each(["cluster", "service", "team", "domain", "imageTag", "targetRevision"])("fails to render a file without %s (missingkey=error)", (key) => {
    const file = JSON.parse(FILE) as Record<string, string>;
    delete file[key];
    expect(() => renderApplicationSet(appSet, { "staging/python-example.json": JSON.stringify(file) })).toThrow(
      new RegExp(`staging/python-example\\.json: .*map has no entry for key "${key}"`),
    );
  });

  it("keeps a numeric-looking image tag a string for Helm (forceString)", () => {
    const file = FILE.replace(`"imageTag": "${SHA}"`, '"imageTag": "1234567"');
    const [app] = renderApplicationSet(appSet, { "staging/python-example.json": file });
    const parameters = ((app.spec as Manifest).source as { helm: { parameters: { name: string; value: string; forceString?: boolean }[] } }).helm.parameters;
    expect(parameters[0]).toEqual({ name: "holodeck-service.image.tag", value: "1234567", forceString: true });
  });
});

describe("teams ApplicationSet of staging-eu-west-1, rendered by Go text/template + sprig", () => {
  const TEAM = JSON.stringify({
    team: "checkout",
    ssoGroups: ["holodeck-team-checkout"],
    domains: ["services"],
    services: [{ name: "python-example", domain: "services" }],
  });
  let appSet: Manifest;
  beforeAll(() => {
    appSet = k8sObject(recordedStack("staging-eu-west-1"), "ApplicationSet", "teams").inputs;
  });

  it("reads teams/*.json from the publish gate's branch of services-root, not from main", () => {
    expect((appSet.spec as { generators: unknown }).generators).toEqual([
      { git: { repoURL: "https://gitlab.com/holodeck/services-root.git", revision: "refs/heads/published", files: [{ path: "teams/*.json" }] } },
    ]);
  });

  it("gives Application team-<team> in the platform project, the team chart with the team file as values", () => {
    const apps = renderApplicationSet(appSet, { "teams/checkout.json": TEAM, "staging/python-example.json": FILE });
    expect(apps.map((a) => (a.metadata as { name: string }).name)).toEqual(["team-checkout"]);
    const spec = apps[0].spec as { project: string; source: { path: string; helm: { releaseName: string; values: string } }; destination: unknown };
    expect(spec.project).toBe("platform");
    expect(spec.source.path).toBe("platform-apps/charts/team");
    expect(spec.source.helm.releaseName).toBe("team-checkout");
    expect(spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "argocd" });
    expect(JSON.parse(spec.source.helm.values)).toEqual({
      ...JSON.parse(TEAM),
      alerts: null,
      platform: {
        server: "https://kubernetes.default.svc",
        argocdNamespace: "argocd",
        serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
        serviceChartRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
      },
    });
    validateManifest({ ...apps[0], metadata: { ...(apps[0].metadata as Manifest), namespace: "argocd" } }, "rendered Application");
  });

  it("passes the optional alerts through", () => {
    const withAlerts = JSON.stringify({ ...JSON.parse(TEAM), alerts: { slackChannel: "#checkout-alerts" } });
    const [app] = renderApplicationSet(appSet, { "teams/checkout.json": withAlerts });
    expect((JSON.parse((app.spec as { source: { helm: { values: string } } }).source.helm.values) as { alerts: unknown }).alerts).toEqual({
      slackChannel: "#checkout-alerts",
    });
  });
});
