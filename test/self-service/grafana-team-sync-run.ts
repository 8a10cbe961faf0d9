// Runs platform-apps/manifests/grafana/team-sync.py for real (python3) with the environment its
// CronJob gives it (team-sync.yaml, parsed here), against the Grafana API model (fake-grafana.ts)
// and the Kubernetes API model (fake-kube.ts) whose RBAC is the manifest's Role plus the team
// chart's RoleBindings in each service namespace.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { tempDir } from "../harness/copier";
import { FakeGrafana } from "./fake-grafana";
import { FakeKube, type KubeObject } from "./fake-kube";

const MANIFESTS = path.resolve(__dirname, "..", "..", "platform-apps", "manifests", "grafana");
const SCRIPT = path.join(MANIFESTS, "team-sync.py");
const TOKEN = "grafana-team-sync-sa-token";

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace: string };
  rules?: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
  spec?: { jobTemplate: { spec: { template: { spec: { containers: { env: EnvVar[] }[] } } } } };
}

const manifests = parseAllDocuments(fs.readFileSync(path.join(MANIFESTS, "team-sync.yaml"), "utf8")).map((doc) => doc.toJS() as Manifest);
const cronJob = manifests.find((m) => m.kind === "CronJob");
const role = manifests.find((m) => m.kind === "Role");
if (!cronJob?.spec || !role?.rules) throw new Error("team-sync.yaml: no CronJob or no Role");
const containerEnv = cronJob.spec.jobTemplate.spec.template.spec.containers[0].env;

/** The CronJob's literal env values (addresses, names, in-pod file paths). */
export const CRONJOB_ENV: Record<string, string> = Object.fromEntries(
  containerEnv.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
);
/** The env the CronJob takes from Secrets: the test supplies these. */
export const SECRET_ENV: string[] = containerEnv.filter((e) => e.valueFrom !== undefined).map((e) => e.name);
export const NAMESPACE = CRONJOB_ENV.NAMESPACE;
export const MAPPING_SECRET = CRONJOB_ENV.MAPPING_SECRET;
export const DEPLOYMENT = CRONJOB_ENV.GRAFANA_DEPLOYMENT;
export const MAPPING_KEY = "GF_AUTH_GENERIC_OAUTH_ORG_MAPPING";
export const ADMIN_GROUPS = ["holodeck-platform-admins", "sre:oncall"];

/** The names the Role lets it get and patch for a resource, as "<namespace>/<name>". */
function roleNames(resource: string): string[] {
  const rule = role?.rules?.find((r) => r.resources.includes(resource) && r.verbs.includes("get") && r.verbs.includes("patch"));
  return (rule?.resourceNames ?? []).map((name) => `${role?.metadata.namespace}/${name}`);
}

export function teamConfigMap(team: string, ssoGroups: string[], namespaces: string[], name = `grafana-team-${team}`): KubeObject {
  return {
    metadata: { name, namespace: NAMESPACE, labels: { "holodeck.dev/grafana-team": "true" } },
    data: { "team.json": JSON.stringify({ team, ssoGroups, namespaces }) },
  };
}

export function dashboardConfigMap(namespace: string, name: string, data: Record<string, string>, labels = { grafana_dashboard: "1" }): KubeObject {
  return { metadata: { name, namespace, labels }, data };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Both API models, started, with the mapping Secret (no data, as team-sync.yaml makes it) and Grafana's Deployment. */
export class SyncHarness {
  readonly grafana = new FakeGrafana();
  readonly kube: FakeKube;
  private grafanaUrl = "";
  private kubeUrl = "";
  private readonly tokenFile = path.join(tempDir("grafana-team-sync"), "token");

  /** `serviceNamespaces`: where the team chart's RoleBindings let the sync list ConfigMaps. */
  constructor(serviceNamespaces: string[]) {
    this.kube = new FakeKube(TOKEN, {
      listConfigMaps: [...(role?.rules?.some((r) => r.resources.includes("configmaps") && r.verbs.includes("list")) ? [NAMESPACE] : []), ...serviceNamespaces],
      secrets: roleNames("secrets"),
      deployments: roleNames("deployments"),
    });
    this.kube.secrets.set(`${NAMESPACE}/${MAPPING_SECRET}`, { metadata: { name: MAPPING_SECRET, namespace: NAMESPACE }, type: "Opaque" });
    this.kube.deployments.set(`${NAMESPACE}/${DEPLOYMENT}`, {
      metadata: { name: DEPLOYMENT, namespace: NAMESPACE },
      spec: { replicas: 1, template: { metadata: { annotations: { "checksum/config": "abc" } }, spec: { containers: [{ name: "grafana" }] } } },
    });
    fs.writeFileSync(this.tokenFile, `${TOKEN}\n`);
  }

  async start(): Promise<void> {
    this.grafanaUrl = await this.grafana.start();
    this.kubeUrl = await this.kube.start();
  }

  async stop(): Promise<void> {
    await this.grafana.stop();
    await this.kube.stop();
  }

  /** The Secret's mapping, decoded ("" when unset). */
  mapping(): string {
    const data = (this.kube.secrets.get(`${NAMESPACE}/${MAPPING_SECRET}`)?.data ?? {}) as Record<string, string>;
    return Buffer.from(data[MAPPING_KEY] ?? "", "base64").toString();
  }

  /** Runs the script once; `overrides` replace env values, `undefined` removes one. */
  run(overrides: Record<string, string | undefined> = {}): Promise<Run> {
    return runGrafanaTeamSync({
      ...CRONJOB_ENV,
      GRAFANA_URL: this.grafanaUrl,
      // Plain HTTP: the script then uses no CA (KUBERNETES_CA_FILE stays the pod's path).
      KUBERNETES_URL: this.kubeUrl,
      KUBERNETES_TOKEN_FILE: this.tokenFile,
      PLATFORM_ADMIN_GROUPS: JSON.stringify(ADMIN_GROUPS),
      GRAFANA_USER: this.grafana.user,
      GRAFANA_PASSWORD: this.grafana.password,
      ...overrides,
    });
  }
}

/** Runs team-sync.py with exactly `env` (entries set to undefined left out) and PATH: nothing of this machine's environment leaks in. */
export function runGrafanaTeamSync(env: Record<string, string | undefined>): Promise<Run> {
  const set = Object.entries({ PATH: process.env.PATH, ...env }).filter(([, v]) => v !== undefined);
  const child = spawn("python3", [SCRIPT], { env: Object.fromEntries(set) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
