// One Kubernetes control plane on loopback: etcd, kube-apiserver (TLS, RBAC + Node
// authorization, EKS's admission plugins incl. Pod Security, ServiceAccount token signing),
// kube-controller-manager, kube-scheduler and kwok for the simulated nodes. Every test file
// starts its own (about 10 s on an idle machine) and stops it in afterAll.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { freePort } from "../../harness/ports";
import { KubeRest } from "../stand-ins/kube-rest";
import { Kubectl, writeKubeconfig, type KubeObject } from "./kube";
import { makePki, type Pki } from "./pki";
import { Processes, tail } from "./processes";
import { CONTROL_PLANE_PROGRAMS, CONTROL_PLANE_SHARE, requireTools, TOOLS_BIN } from "./tools";

/** The admission plugins EKS enables (EKS platform versions page, as read for 1.35; its 1.36 list could not be read here); the API server's own defaults stay on too (`kube-apiserver --help` of v1.36.3 lists them, the new PodGroupProtection, JobValidation and PodResizeValidator among them). */
export const EKS_ADMISSION_PLUGINS = [
  "NodeRestriction",
  "ExtendedResourceToleration",
  "NamespaceLifecycle",
  "LimitRanger",
  "ServiceAccount",
  "TaintNodesByCondition",
  "PodSecurity",
  "Priority",
  "DefaultTolerationSeconds",
  "DefaultStorageClass",
  "StorageObjectInUseProtection",
  "PersistentVolumeClaimResize",
  "RuntimeClass",
  "CertificateApproval",
  "CertificateSigning",
  "CertificateSubjectRestriction",
  "DefaultIngressClass",
  "MutatingAdmissionWebhook",
  "ValidatingAdmissionWebhook",
  "ResourceQuota",
];

/** Service CIDR: away from kwok's fake pod IPs (10.0.0.0/24). */
export const SERVICE_CIDR = "10.96.0.0/16";
const SERVICE_IP = "10.96.0.1";
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined; throws after
 * `timeoutMs` naming `what` and the last check's error, if it threw (and fails at once when a
 * control-plane process has died: `alive` throws).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, alive?: () => void, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: string;
    alive?.();
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastError = "";
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${lastError}` : ""}`);
    await sleep(intervalMs);
  }
}

/**
 * kwok's pod stages (create, init container running/completed, ready, complete) each wait 1 s
 * plus up to 5 s of jitter: simulated kubelet time, ~10-17 s per pod lifecycle. Scaled down so a
 * rollout or a migration Job takes seconds; every pod still goes through the same steps in the
 * same order (a pod's deletion still waits for its grace period). Node stages are left as shipped.
 */
export const POD_STAGE_DELAY = { durationMilliseconds: 200, jitterDurationMilliseconds: 300 };

interface KwokStage {
  kind: string;
  spec: { resourceRef: { kind: string }; delay?: { durationMilliseconds?: number; jitterDurationMilliseconds?: number } };
}

function withPodStageDelay(stage: KwokStage): KwokStage {
  const delay = stage.spec.delay;
  if (stage.kind !== "Stage" || stage.spec.resourceRef.kind !== "Pod" || !delay) return stage;
  const scaled = { ...delay };
  if (scaled.durationMilliseconds !== undefined) scaled.durationMilliseconds = Math.min(scaled.durationMilliseconds, POD_STAGE_DELAY.durationMilliseconds);
  if (scaled.jitterDurationMilliseconds !== undefined) {
    scaled.jitterDurationMilliseconds = Math.min(scaled.jitterDurationMilliseconds, POD_STAGE_DELAY.jitterDurationMilliseconds);
  }
  return { ...stage, spec: { ...stage.spec, delay: scaled } };
}

export interface ControlPlaneOptions {
  /** Simulated nodes to create (harness/nodes.ts) once kwok runs. */
  nodes?: KubeObject[];
}

export class ControlPlane {
  readonly kubectl: Kubectl;
  /**
   * The API server over HTTPS from this process, as the admin: for what is polled every second
   * (readiness, nodes, CRDs, Applications), where a kubectl process per poll costs CPU that
   * several control planes on 2 cores do not have.
   */
  readonly rest: KubeRest;

  private constructor(
    readonly dir: string,
    readonly processes: Processes,
    readonly pki: Pki,
    readonly server: string,
    readonly kubeconfig: string,
  ) {
    this.kubectl = new Kubectl(kubeconfig, path.join(dir, "kubectl-cache"));
    this.rest = this.adminRest();
  }

  /** A new REST client as the cluster admin, with its own connections (a fixture's watches and stand-ins keep off `rest`'s). */
  adminRest(): KubeRest {
    const admin = this.pki.clients.admin;
    return new KubeRest({
      server: this.server,
      ca: readFileSync(this.pki.caCert, "utf8"),
      cert: readFileSync(admin.cert, "utf8"),
      key: readFileSync(admin.key, "utf8"),
    });
  }

  /** Starts everything and waits until the API server serves, controllers run and the nodes are Ready. */
  static async start(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
    requireTools(CONTROL_PLANE_PROGRAMS);
    const dir = mkdtempSync(path.join(tmpdir(), "holodeck-cp-"));
    const processes = new Processes(dir);
    try {
      return await ControlPlane.boot(dir, processes, opts);
    } catch (err) {
      await processes.stop();
      throw err;
    }
  }

  private static async boot(dir: string, processes: Processes, opts: ControlPlaneOptions): Promise<ControlPlane> {
    const pki = makePki(
      dir,
      [
        { name: "admin", user: "holodeck-test-admin", groups: ["system:masters"] },
        { name: "controller-manager", user: "system:kube-controller-manager", groups: [] },
        { name: "scheduler", user: "system:kube-scheduler", groups: [] },
      ],
      SERVICE_IP,
    );
    const [etcdPort, etcdPeerPort, apiPort, cmPort, schedulerPort, kwokPort] = await Promise.all(Array.from({ length: 6 }, freePort));
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    processes.start({
      name: "etcd",
      command: path.join(TOOLS_BIN, "etcd"),
      args: [
        "--name=test",
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeerPort}`,
        // Test data: no fsync (the 2-core CI disk is the bottleneck otherwise).
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
    });
    const server = `https://127.0.0.1:${apiPort}`;
    processes.start({
      name: "kube-apiserver",
      command: path.join(TOOLS_BIN, "kube-apiserver"),
      args: [
        `--etcd-servers=${etcdUrl}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
        "--authorization-mode=Node,RBAC",
        `--enable-admission-plugins=${EKS_ADMISSION_PLUGINS.join(",")}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--allow-privileged=true",
        // Loopback cannot be an Endpoints address: no reconciler for the `kubernetes` Service.
        "--endpoint-reconciler-type=none",
        "--profiling=false",
        // CPU, not behaviour: the watch cache's per-resource dispatchers and the list-cost size
        // estimator kept an idle API server (with the platform's CRDs and Argo CD watching every
        // kind) at about 13 % of a core (CPU profile); without them 2 %, and the suite's CPU on
        // 2 cores drops by about 12 %. Watches and lists are then served by etcd, consistently.
        "--watch-cache=false",
        "--feature-gates=SizeBasedListCostEstimate=false",
        "--v=0",
      ],
    });
    const kubeconfig = writeKubeconfig(path.join(dir, "admin.kubeconfig"), { server, caCert: pki.caCert, ...pki.clients.admin });
    const plane = new ControlPlane(dir, processes, pki, server, kubeconfig);
    const alive = (): void => processes.assertRunning();
    await waitFor("the API server to be ready (/readyz)", async () => ((await plane.rest.raw("/readyz")) === "ok" ? true : undefined), 90_000, alive, 500);

    const cmConfig = writeKubeconfig(path.join(dir, "controller-manager.kubeconfig"), { server, caCert: pki.caCert, ...pki.clients["controller-manager"] });
    processes.start({
      name: "kube-controller-manager",
      command: path.join(TOOLS_BIN, "kube-controller-manager"),
      args: [
        `--kubeconfig=${cmConfig}`,
        `--authentication-kubeconfig=${cmConfig}`,
        `--authorization-kubeconfig=${cmConfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${cmPort}`,
        "--leader-elect=false",
        // Each controller acts with its own ServiceAccount and RBAC, as on EKS.
        "--use-service-account-credentials=true",
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--v=0",
      ],
    });
    const schedulerConfig = writeKubeconfig(path.join(dir, "scheduler.kubeconfig"), { server, caCert: pki.caCert, ...pki.clients.scheduler });
    processes.start({
      name: "kube-scheduler",
      command: path.join(TOOLS_BIN, "kube-scheduler"),
      args: [
        `--kubeconfig=${schedulerConfig}`,
        `--authentication-kubeconfig=${schedulerConfig}`,
        `--authorization-kubeconfig=${schedulerConfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${schedulerPort}`,
        "--leader-elect=false",
        "--v=0",
      ],
    });
    // kwok acts for many nodes at once, which the Node authorizer would refuse to a kubelet identity: admin.
    const stages = path.join(dir, "kwok-stages.yaml");
    const stageDir = path.join(CONTROL_PLANE_SHARE, "kwok-stages");
    writeFileSync(
      stages,
      readdirSync(stageDir)
        .filter((f) => f.endsWith(".yaml"))
        .flatMap((f) => parseAllDocuments(readFileSync(path.join(stageDir, f), "utf8")).map((d) => d.toJS() as KwokStage))
        .map((stage) => JSON.stringify(withPodStageDelay(stage)))
        .join("\n---\n"),
    );
    processes.start({
      name: "kwok",
      command: path.join(TOOLS_BIN, "kwok"),
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${stages}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--node-ip=127.0.0.1",
        `--server-address=127.0.0.1:${kwokPort}`,
        `--node-port=${kwokPort}`,
        "--node-lease-duration-seconds=40",
      ],
    });
    // The controller-manager is up once it has made the `default` ServiceAccount.
    await waitFor(
      "kube-controller-manager to create the default ServiceAccount",
      () => plane.rest.get("/api/v1/namespaces/default/serviceaccounts/default").then((sa) => (sa ? true : undefined)),
      90_000,
      alive,
    );
    if (opts.nodes && opts.nodes.length > 0) await plane.addNodes(opts.nodes);
    return plane;
  }

  /** Creates kwok Nodes (with their status: capacity, allocatable) and waits until all are Ready. */
  async addNodes(nodes: KubeObject[]): Promise<void> {
    // create, not apply: a Node's status is kept on create only.
    await this.kubectl.ok(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: nodes }));
    const names = new Set(nodes.map((n) => n.metadata.name));
    await waitFor(
      `${names.size} simulated nodes to be Ready`,
      async () => {
        const ready = (await this.rest.list<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>("/api/v1/nodes")).filter(
          (n) => names.has(n.metadata.name) && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
        return ready.length === names.size ? true : undefined;
      },
      120_000,
      () => this.processes.assertRunning(),
    );
  }

  /** A kubeconfig that authenticates as a ServiceAccount (a TokenRequest token), namespace `namespace`. */
  async serviceAccountKubeconfig(account: string, accountNamespace: string, namespace = accountNamespace): Promise<string> {
    const token = (await this.kubectl.ok(["create", "token", account, "-n", accountNamespace, "--duration=24h"])).trim();
    return writeKubeconfig(path.join(this.dir, `sa-${accountNamespace}-${account}.kubeconfig`), {
      server: this.server,
      caCert: this.pki.caCert,
      token,
      namespace,
    });
  }

  /** Log tail of one component (for failure messages). */
  logTail(name: string, lines = 40): string {
    const p = this.processes.started.find((s) => s.name === name);
    return p ? tail(p.log, lines) : `(no process ${name})`;
  }

  /** Stops every process and removes the temporary folder (kept when HOLODECK_KEEP_CONTROL_PLANE is set). */
  async stop(): Promise<void> {
    this.rest.close();
    await this.processes.stop();
    if (!process.env.HOLODECK_KEEP_CONTROL_PLANE) rmSync(this.dir, { recursive: true, force: true });
  }
}
