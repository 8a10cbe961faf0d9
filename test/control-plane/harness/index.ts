// The control-plane test harness: a real Kubernetes control plane with simulated nodes shaped
// like a stack's node groups, a real Argo CD configured as the stack configures it, and local
// git repositories standing for the platform repo, services-root and the service repos.
//
//   const cluster = await startHolodeckCluster({ stack: "staging-eu-west-1" });
//   afterAll(() => cluster.stop());
//
// Each test file starts its own (~20-30 s on 2 cores: own temporary folder and loopback ports, so
// files run side by side, vitest.control-plane.config.mts) and stops it in afterAll; a cluster
// that cannot start throws with the failing process's log tail (the test fails, it never skips).
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { StackRecording } from "../../../cli/plan/run-stack";
import { startArgoCd, type ArgoCd } from "./argocd";
import { ControlPlane } from "./cluster";
import { LocalGit } from "./git";
import type { KubeObject } from "./kube";
import { nodeGroupsOf, simulatedNodes } from "./nodes";
import {
  argoCdSettingsOf,
  LOCAL_REPOS,
  recordedKubernetesObjects,
  repoRewrite,
  rewriteUrls,
  stackRegion,
  stackRepoUrls,
  type StackRepoUrls,
  type UrlRewrite,
} from "./stack";
import { bootstrapCrdsFor, installCrds, recordedConfigGroupCrds, uniqueCrds } from "./crds";
import { REPO } from "./tools";

export { ARGOCD_NAMESPACE, argoCdInstallObjects, type Application, type ApplicationSource, type ArgoCd, type ArgoCdSettings } from "./argocd";
export { ControlPlane, EKS_ADMISSION_PLUGINS, sleep, waitFor } from "./cluster";
export { LocalGit } from "./git";
export { Kubectl, type KubeObject, type KubectlResult } from "./kube";
export { INSTANCE_TYPES, karpenterPoolsOf, managedNodeGroupsOf, nodeGroupsOf, simulatedNodes, type SimulatedNodeGroup } from "./nodes";
export {
  argoCdSettingsOf,
  LOCAL_REPOS,
  recordedHelmReleases,
  recordedKubernetesObjects,
  repoRewrite,
  rewriteUrls,
  stackRegion,
  stackRepoUrls,
  type StackRepoUrls,
  type UrlRewrite,
} from "./stack";
export { bootstrapCrdsFor, crdsIn, installCrds, recordedConfigGroupCrds, uniqueCrds } from "./crds";
export { BOOTSTRAP_CRDS, CONTROL_PLANE_SHARE, PLATFORM_CRDS, REPO, TOOLS_BIN } from "./tools";

/** Folders of this repository (as committed at HEAD) that make up the local platform repo. */
export const PLATFORM_REPO_FOLDERS = ["platform-apps", "charts"];

export interface HolodeckClusterOptions {
  stack: string;
  recording: StackRecording;
}

export interface HolodeckCluster {
  stack: string;
  recording: StackRecording;
  plane: ControlPlane;
  argocd: ArgoCd;
  git: LocalGit;
  /** The stack's own repository URLs, and how the harness rewrites them to the local ones. */
  remoteUrls: StackRepoUrls;
  rewrite: UrlRewrite;
  /** The stack's recorded Kubernetes objects (not Helm releases) with repository URLs rewritten. */
  handoffObjects: KubeObject[];
  stop(): Promise<void>;
}

/** Creates the platform repo (committed platform-apps/ and charts/ on the stack's platform revision) and an empty services-root. */
function seedRepositories(git: LocalGit, urls: StackRepoUrls): void {
  const work = git.create(LOCAL_REPOS.platform, urls.platformRevision);
  const archive = execFileSync("git", ["archive", "HEAD", "--", ...PLATFORM_REPO_FOLDERS], { cwd: REPO, maxBuffer: 256 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", work], { input: archive });
  git.commit(LOCAL_REPOS.platform, "platform-apps as committed in holodeck", urls.platformRevision);
  git.create(LOCAL_REPOS.servicesRoot);
  git.write(LOCAL_REPOS.servicesRoot, { "README.md": "services-root (control-plane test)\n" });
  git.commit(LOCAL_REPOS.servicesRoot, "empty services-root");
  git.publishByHand(LOCAL_REPOS.servicesRoot);
  mkdirSync(path.join(git.root, "remote", LOCAL_REPOS.servicePrefix), { recursive: true });
}

export async function startHolodeckCluster(opts: HolodeckClusterOptions): Promise<HolodeckCluster> {
  const { stack, recording } = opts;
  const region = stackRegion(recording);
  const plane = await ControlPlane.start({ nodes: simulatedNodes(nodeGroupsOf(recording), region) });
  try {
    const git = new LocalGit(path.join(plane.dir, "git"));
    const remoteUrls = stackRepoUrls(stack);
    seedRepositories(git, remoteUrls);
    const rewrite = repoRewrite(remoteUrls, (name) => git.url(name));
    const argocd = await startArgoCd(plane, argoCdSettingsOf(recording));
    const handoffObjects = recordedKubernetesObjects(recording).map((o) => rewriteUrls(o, rewrite));
    return { stack, recording, plane, argocd, git, remoteUrls, rewrite, handoffObjects, stop: () => plane.stop() };
  } catch (err) {
    await plane.stop();
    throw err;
  }
}

/**
 * Applies the stack's recorded Kubernetes objects (repository URLs rewritten) in the order Pulumi
 * creates them: Namespaces; the CRDs of the recorded ConfigGroups (Gateway API, Envoy Gateway) and
 * those of the bootstrap's Helm releases (cert-manager, Karpenter...; no controller runs here)
 * whose kinds the objects use; everything else. `only` narrows the objects.
 */
export async function applyHandoff(cluster: HolodeckCluster, only: (o: KubeObject) => boolean = () => true): Promise<KubeObject[]> {
  const objects = cluster.handoffObjects.filter(only);
  const crds = uniqueCrds([...recordedConfigGroupCrds(cluster.recording), ...bootstrapCrdsFor(objects)]);
  await cluster.plane.kubectl.apply(objects.filter((o) => o.kind === "Namespace"));
  if (crds.length > 0) await installCrds(cluster.plane, crds);
  await cluster.plane.kubectl.apply(objects.filter((o) => o.kind !== "Namespace"));
  return objects;
}
