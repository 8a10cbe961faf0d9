// What a stack's program hands to the cluster, read from its recording (cli/plan/run-stack.ts):
// the Kubernetes objects it applies itself, Argo CD's settings from the argo-cd Helm release
// values, and the git repositories it points Argo CD at, rewritten to local file:// repositories.
import type { StackRecording } from "../../../cli/plan/run-stack";
import { stackConfig } from "../../../cli/plan/run-stack";
import type { ArgoCdSettings } from "./argocd";
import type { KubeObject } from "./kube";

/** The stack's git repository URLs (stack config: Pulumi.yaml defaults + stack file). */
export interface StackRepoUrls {
  platform: string;
  platformRevision: string;
  servicesRoot: string;
  /** <prefix>/<service>.git */
  servicePrefix: string;
}

export function stackRepoUrls(stack: string): StackRepoUrls {
  const config = stackConfig(stack);
  const get = (key: string): string => {
    const value = config[`holodeck:${key}`];
    if (!value) throw new Error(`stack ${stack}: no holodeck:${key} in its config`);
    return value;
  };
  return {
    platform: get("platformRepoUrl"),
    platformRevision: get("platformRepoRevision"),
    servicesRoot: get("servicesRepoUrl"),
    servicePrefix: get("serviceRepoUrlPrefix"),
  };
}

/** Local repository names standing for the stack's repositories (harness/git.ts). */
export const LOCAL_REPOS = { platform: "platform", servicesRoot: "services-root", servicePrefix: "services" } as const;

/** [remote URL, local URL] pairs; a string equal to a remote URL, or starting with it and "/", is rewritten. */
export type UrlRewrite = [from: string, to: string][];

export function repoRewrite(urls: StackRepoUrls, localUrl: (name: string) => string): UrlRewrite {
  const pairs: UrlRewrite = [
    [urls.platform, localUrl(LOCAL_REPOS.platform)],
    [urls.servicesRoot, localUrl(LOCAL_REPOS.servicesRoot)],
    // file://<root>/services.git would be wrong for a prefix: services/<name>.git lives under <root>/services/.
    [urls.servicePrefix, localUrl(LOCAL_REPOS.servicePrefix).replace(/\.git$/, "")],
  ];
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

/** `value` with every repository URL rewritten, at any depth. */
export function rewriteUrls<T>(value: T, rewrite: UrlRewrite): T {
  if (typeof value === "string") {
    for (const [from, to] of rewrite) {
      if (value === from) return to as T;
      if (value.startsWith(`${from}/`)) return `${to}${value.slice(from.length)}` as T;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => rewriteUrls(v, rewrite)) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteUrls(v, rewrite)])) as T;
  return value;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Every Kubernetes object the stack applies itself (not Helm releases), as recorded. */
export function recordedKubernetesObjects(recording: StackRecording): KubeObject[] {
  return recording.resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE)
    .map((r) => r.inputs as unknown as KubeObject);
}

/** The Helm releases the stack installs (name -> chart), which the test control plane cannot install. */
export function recordedHelmReleases(recording: StackRecording): { name: string; chart: string; version: string; values: Record<string, unknown> }[] {
  return recording.byType(HELM_RELEASE).map((r) => ({
    name: String(r.inputs.name),
    chart: String(r.inputs.chart),
    version: String(r.inputs.version),
    values: (r.inputs.values ?? {}) as Record<string, unknown>,
  }));
}

const asStrings = (data: unknown): Record<string, string> | undefined =>
  data && typeof data === "object" ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])) : undefined;

/** Argo CD settings from the recorded argo-cd release values (configs.cm / configs.params / configs.rbac, as the chart writes them). */
export function argoCdSettingsOf(recording: StackRecording): ArgoCdSettings {
  const release = recordedHelmReleases(recording).find((r) => r.chart === "argo-cd");
  if (!release) throw new Error(`stack ${recording.stack}: no argo-cd Helm release recorded`);
  const configs = (release.values.configs ?? {}) as Record<string, unknown>;
  const applicationSet = (release.values.applicationSet ?? {}) as Record<string, unknown>;
  return {
    applicationSetAnyNamespace: applicationSet.allowAnyNamespace === true,
    cm: asStrings(configs.cm),
    params: asStrings(configs.params),
    rbac: asStrings(configs.rbac),
  };
}

/** The stack's region from its recorded cluster Secret labels. */
export function stackRegion(recording: StackRecording): string {
  const secret = recording
    .byType("kubernetes:core/v1:Secret")
    .find((s) => (s.inputs.metadata as KubeObject["metadata"] | undefined)?.labels?.["argocd.argoproj.io/secret-type"] === "cluster");
  const region = (secret?.inputs.metadata as KubeObject["metadata"] | undefined)?.labels?.region;
  if (!region) throw new Error(`stack ${recording.stack}: no cluster Secret with a region label recorded`);
  return region;
}
