// Argo CD on the test control plane: its CRDs, ServiceAccounts, RBAC and default ConfigMaps from
// the upstream install manifests of the pinned version (.tools/control-plane/argocd), Redis
// (miniredis), the repo-server, the application controller and the ApplicationSet controller,
// each authenticated as its own ServiceAccount (so the upstream RBAC is what they may do).
// argocd-server, Dex and the notifications controller are not started: nothing here uses them.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { freePort } from "../../harness/ports";
import { waitFor, type ControlPlane } from "./cluster";
import { installCrds } from "./crds";
import type { KubeObject } from "./kube";
import { ARGOCD_PROGRAMS, ARGOCD_SCRIPTS_DIR, CONTROL_PLANE_SHARE, HELM4_DIR, requireTools, TOOLS_BIN } from "./tools";

export const ARGOCD_NAMESPACE = "argocd";
/** The annotation Argo CD's git webhook sets to make an ApplicationSet re-read its generators. */
const APPSET_REFRESH_ANNOTATION = "argocd.argoproj.io/application-set-refresh";
/** How long an expected Application may stay absent before its ApplicationSet is asked again. */
const REGENERATE_AFTER_MS = 20_000;
/** The application controller's pause between sync waves (controller/sync.go EnvVarSyncWaveDelay; upstream default 2 s). */
const SYNC_WAVE_DELAY_ENV = "ARGOCD_SYNC_WAVE_DELAY";
export const SYNC_WAVE_DELAY_S = 1;
/** Kinds of the upstream install manifests that are applied; its workloads (Deployments, Services...) are replaced by local processes. */
const INSTALL_KINDS = new Set([
  "CustomResourceDefinition",
  "ServiceAccount",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
]);

/**
 * The upstream install manifests' objects of the kinds above. The argo-cd chart grants the
 * ApplicationSet controller cluster-wide rights (ClusterRole + binding) only with
 * `applicationSet.allowAnyNamespace`; install.yaml always does: they are left out unless asked.
 */
export function argoCdInstallObjects(settings: Pick<ArgoCdSettings, "applicationSetAnyNamespace"> = {}): KubeObject[] {
  const file = path.join(CONTROL_PLANE_SHARE, "argocd", "install.yaml");
  const clusterWideAppSet = (o: KubeObject): boolean =>
    o.kind.startsWith("Cluster") && o.kind !== "CustomResourceDefinition" && o.metadata.name === "argocd-applicationset-controller";
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && INSTALL_KINDS.has(o.kind))
    .filter((o) => settings.applicationSetAnyNamespace === true || !clusterWideAppSet(o))
    .map((o) =>
      o.kind === "CustomResourceDefinition" || o.kind.startsWith("Cluster") ? o : { ...o, metadata: { ...o.metadata, namespace: ARGOCD_NAMESPACE } },
    );
}

/** Argo CD settings: data of argocd-cm, argocd-cmd-params-cm and argocd-rbac-cm to merge over the defaults. */
export interface ArgoCdSettings {
  /** The chart's applicationSet.allowAnyNamespace: the ApplicationSet controller's cluster-wide RBAC. */
  applicationSetAnyNamespace?: boolean;
  cm?: Record<string, string>;
  params?: Record<string, string>;
  rbac?: Record<string, string>;
}

export interface ArgoCd {
  repoServer: string;
  /**
   * Waits until Application `name` satisfies `check` (returns its last state in the timeout error).
   * With `generatedBy`, an Application still absent after 20 s makes that ApplicationSet refresh again.
   */
  waitForApplication(name: string, what: string, check: (app: Application) => boolean, timeoutMs: number, generatedBy?: string): Promise<Application>;
  application(name: string): Promise<Application | undefined>;
  applications(): Promise<Application[]>;
  /**
   * Makes the ApplicationSet controller re-read its generators now (the annotation Argo CD's git
   * webhook sets); without it a git generator polls every 3 minutes.
   */
  refreshApplicationSet(name: string): Promise<void>;
  /** Makes the application controller compare Application `name` with git now (`argocd app get --refresh`). */
  refreshApplication(name: string, kind?: "normal" | "hard"): Promise<void>;
}

/** The parts of an Application the tests read. */
export interface Application extends KubeObject {
  spec: {
    project: string;
    source?: ApplicationSource;
    sources?: ApplicationSource[];
    destination: { server?: string; namespace?: string };
    syncPolicy?: Record<string, unknown>;
  };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    conditions?: { type: string; message: string }[];
    operationState?: {
      phase?: string;
      message?: string;
      retryCount?: number;
      startedAt?: string;
      operation?: { initiatedBy?: { automated?: boolean; username?: string } };
      syncResult?: { resources?: { kind: string; name: string; status: string; message: string }[] };
    };
    resources?: { kind: string; name: string; namespace?: string; status?: string; hook?: boolean; health?: { status?: string } }[];
  };
}

export interface ApplicationSource {
  repoURL: string;
  targetRevision?: string;
  path?: string;
  chart?: string;
  ref?: string;
  helm?: { releaseName?: string; valueFiles?: string[]; parameters?: { name: string; value: string }[] };
}

function settingsObjects(settings: ArgoCdSettings): KubeObject[] {
  const cm = (name: string, data: Record<string, string> | undefined): KubeObject[] =>
    data
      ? [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } }, data }]
      : [];
  // argocd-server writes server.secretkey on its first start (webhook payloads are checked with it).
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argocd-secret", namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } },
    stringData: { "server.secretkey": randomBytes(32).toString("base64") },
  };
  return [...cm("argocd-cm", settings.cm), ...cm("argocd-cmd-params-cm", settings.params), ...cm("argocd-rbac-cm", settings.rbac), secret];
}

/** The `default` AppProject, which argocd-server creates on a real installation. */
const DEFAULT_PROJECT: KubeObject = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "AppProject",
  metadata: { name: "default", namespace: ARGOCD_NAMESPACE },
  spec: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] },
};

/** Installs and starts Argo CD on `plane`; `settings` are merged over the upstream ConfigMaps. */
export async function startArgoCd(plane: ControlPlane, settings: ArgoCdSettings = {}): Promise<ArgoCd> {
  requireTools(ARGOCD_PROGRAMS);
  const kubectl = plane.kubectl;
  await kubectl.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: ARGOCD_NAMESPACE } }]);
  const install = argoCdInstallObjects(settings);
  await installCrds(
    plane,
    install.filter((o) => o.kind === "CustomResourceDefinition"),
  );
  await kubectl.apply(install.filter((o) => o.kind !== "CustomResourceDefinition"));
  await kubectl.apply([...settingsObjects(settings), DEFAULT_PROJECT]);

  const home = path.join(plane.dir, "argocd");
  for (const sub of ["tls", "ssh", "gpg", "tmp", "home", "plugins"]) mkdirSync(path.join(home, sub), { recursive: true });
  const [redisPort, repoPort, repoMetrics, controllerMetrics, appsetMetrics, appsetProbe, appsetWebhook] = await Promise.all(
    Array.from({ length: 7 }, freePort),
  );
  const redis = `127.0.0.1:${redisPort}`;
  const repoServer = `127.0.0.1:${repoPort}`;
  const common = {
    ARGOCD_FAKE_IN_CLUSTER: "true",
    ARGOCD_GPG_ENABLED: "false",
    ARGOCD_TLS_DATA_PATH: path.join(home, "tls"),
    ARGOCD_SSH_DATA_PATH: path.join(home, "ssh"),
    ARGOCD_GNUPGHOME: path.join(home, "gpg"),
    ARGOCD_ASK_PASS_SOCK: path.join(home, "askpass.sock"),
    ARGOCD_PLUGINSOCKFILEPATH: path.join(home, "plugins"),
    HOME: path.join(home, "home"),
    TMPDIR: path.join(home, "tmp"),
    // Helm 4 first (the major this Argo CD runs), Argo CD's scripts, then kustomize and the rest of .tools/bin.
    PATH: `${HELM4_DIR}:${ARGOCD_SCRIPTS_DIR}:${TOOLS_BIN}:${process.env.PATH ?? ""}`,
  };
  const argocd = path.join(TOOLS_BIN, "argocd");
  const processes = plane.processes;

  processes.start({ name: "redis", command: path.join(TOOLS_BIN, "redis-server"), args: [`-addr=${redis}`] });
  const repoConfig = await plane.serviceAccountKubeconfig("argocd-repo-server", ARGOCD_NAMESPACE);
  processes.start({
    name: "argocd-repo-server",
    command: argocd,
    args: [
      "--address=127.0.0.1",
      `--port=${repoPort}`,
      "--metrics-address=127.0.0.1",
      `--metrics-port=${repoMetrics}`,
      `--redis=${redis}`,
      "--disable-tls",
      "--client-ca-path=",
      "--loglevel=info",
    ],
    env: { ...common, ARGOCD_BINARY_NAME: "argocd-repo-server", KUBECONFIG: repoConfig },
  });
  const controllerConfig = await plane.serviceAccountKubeconfig("argocd-application-controller", ARGOCD_NAMESPACE);
  processes.start({
    name: "argocd-application-controller",
    command: argocd,
    args: [`--repo-server=${repoServer}`, "--repo-server-plaintext", `--redis=${redis}`, `--metrics-port=${controllerMetrics}`, "--loglevel=info"],
    // Between sync waves the controller sleeps ARGOCD_SYNC_WAVE_DELAY seconds (default 2) so other
    // controllers can react; 1 s keeps that pause (health still gates each wave) and saves a second per wave.
    env: { ...common, ARGOCD_BINARY_NAME: "argocd-application-controller", KUBECONFIG: controllerConfig, [SYNC_WAVE_DELAY_ENV]: String(SYNC_WAVE_DELAY_S) },
  });
  const appsetConfig = await plane.serviceAccountKubeconfig("argocd-applicationset-controller", ARGOCD_NAMESPACE);
  processes.start({
    name: "argocd-applicationset-controller",
    command: argocd,
    args: [
      `--argocd-repo-server=${repoServer}`,
      "--repo-server-plaintext",
      `--metrics-addr=127.0.0.1:${appsetMetrics}`,
      `--probe-addr=127.0.0.1:${appsetProbe}`,
      `--webhook-addr=127.0.0.1:${appsetWebhook}`,
      "--enable-leader-election=false",
      "--loglevel=info",
    ],
    env: { ...common, ARGOCD_BINARY_NAME: "argocd-applicationset-controller", KUBECONFIG: appsetConfig },
  });
  const alive = (): void => processes.assertRunning();
  const httpOk = async (url: string): Promise<true | undefined> => ((await fetch(url)).ok ? true : undefined);
  await waitFor("the ApplicationSet controller to serve metrics", () => httpOk(`http://127.0.0.1:${appsetMetrics}/metrics`), 120_000, alive);
  await waitFor("the application controller to serve metrics", () => httpOk(`http://127.0.0.1:${controllerMetrics}/metrics`), 120_000, alive);
  await waitFor("the repo-server to serve metrics", () => httpOk(`http://127.0.0.1:${repoMetrics}/metrics`), 120_000, alive);

  const applicationsPath = `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`;
  const application = (name: string): Promise<Application | undefined> => plane.rest.get<Application>(`${applicationsPath}/${name}`);
  const refreshApplicationSet = async (name: string): Promise<void> => {
    // The controller drops the annotation only after a reconcile that succeeds; one that fails
    // (a repo-server timeout under load, a project its cache has not seen yet) keeps it and waits
    // 3 minutes. Setting the same value again is no change and wakes nothing: remove it first.
    const target = ["-n", ARGOCD_NAMESPACE, `applicationsets.argoproj.io/${name}`];
    await kubectl.ok(["annotate", ...target, `${APPSET_REFRESH_ANNOTATION}-`]);
    await kubectl.ok(["annotate", ...target, `${APPSET_REFRESH_ANNOTATION}=true`]);
  };
  const applicationSetConditions = async (): Promise<string> => {
    const sets = await plane.rest.list<KubeObject & { status?: { conditions?: { type: string; status: string; message?: string }[] } }>(
      `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applicationsets`,
    );
    return sets
      .map(
        (set) =>
          `ApplicationSet ${set.metadata.name}: ${(set.status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.message ?? ""}`).join("; ") || "no conditions"}`,
      )
      .join("\n");
  };
  return {
    repoServer,
    application,
    applications: () => plane.rest.list<Application>(applicationsPath),
    refreshApplicationSet,
    async refreshApplication(name, kind = "normal") {
      await kubectl.ok(["annotate", "--overwrite", "-n", ARGOCD_NAMESPACE, `applications.argoproj.io/${name}`, `argocd.argoproj.io/refresh=${kind}`]);
    },
    async waitForApplication(name, what, check, timeoutMs, generatedBy) {
      let last: Application | undefined;
      let absentSince = Date.now();
      try {
        return await waitFor(
          `Application ${name} ${what}`,
          async () => {
            last = await application(name);
            if (last) absentSince = Date.now();
            else if (generatedBy && Date.now() - absentSince >= REGENERATE_AFTER_MS) {
              // What a second push's webhook does: ask the ApplicationSet again.
              await refreshApplicationSet(generatedBy);
              absentSince = Date.now();
            }
            return last && check(last) ? last : undefined;
          },
          timeoutMs,
          alive,
          2000,
        );
      } catch (err) {
        const state = last
          ? JSON.stringify({
              sync: last.status?.sync,
              health: last.status?.health,
              conditions: last.status?.conditions,
              operationState: last.status?.operationState,
            })
          : "absent";
        // An absent Application is the ApplicationSet controller's doing: its conditions and log say why.
        const generators = last
          ? ""
          : `\n${await applicationSetConditions()}\napplicationset-controller log:\n${plane.logTail("argocd-applicationset-controller", 25)}`;
        throw new Error(
          `${(err as Error).message}\nlast state: ${state}${generators}\napplication-controller log:\n${plane.logTail("argocd-application-controller", 15)}`,
          { cause: err },
        );
      }
    },
  };
}
