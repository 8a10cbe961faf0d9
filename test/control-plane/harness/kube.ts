// Talking to the test API server: kubeconfig files per identity and a kubectl runner (the
// pinned kubectl of .tools/bin, the same minor as the API server).
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { TOOLS_BIN } from "./tools";

/** A Kubernetes object as the tests handle it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubeconfigArgs {
  server: string;
  caCert: string;
  namespace?: string;
  /** Client certificate auth ... */
  cert?: string;
  key?: string;
  /** ... or a bearer token (a ServiceAccount's). */
  token?: string;
}

export function writeKubeconfig(file: string, args: KubeconfigArgs): string {
  const user: Record<string, string> = args.token ? { token: args.token } : { "client-certificate": args.cert ?? "", "client-key": args.key ?? "" };
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server: args.server, "certificate-authority": args.caCert } }],
    users: [{ name: "test", user }],
    contexts: [{ name: "test", context: { cluster: "test", user: "test", ...(args.namespace ? { namespace: args.namespace } : {}) } }],
    "current-context": "test",
  };
  writeFileSync(file, stringify(config));
  return file;
}

/** How long one `kubectl apply` of a list may take. */
const APPLY_TIMEOUT_MS = 300_000;

/** kubectl against one kubeconfig. */
export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    private readonly cacheDir: string,
  ) {}

  run(args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        path.join(TOOLS_BIN, "kubectl"),
        ["--kubeconfig", this.kubeconfig, "--cache-dir", this.cacheDir, ...args],
        { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr: stderr || (error && code !== 0 ? error.message : "") });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** Runs kubectl and throws with its stderr when it fails. */
  /** Creates `object` (as `as`, kubectl's impersonation flags, or the admin): kubectl's refusal (stderr), or "" when admitted. */
  async refusalOf(object: KubeObject, as: string[] = []): Promise<string> {
    const result = await this.run([...as, "create", "-f", "-"], JSON.stringify(object));
    return result.code === 0 ? "" : result.stderr.trim();
  }

  async ok(args: string[], input?: string, timeoutMs?: number): Promise<string> {
    const result = await this.run(args, input, timeoutMs);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Server-side apply (field manager "holodeck-test"), as Pulumi's kubernetes provider does. */
  async apply(objects: KubeObject[]): Promise<void> {
    if (objects.length === 0) return;
    const list = { apiVersion: "v1", kind: "List", items: objects };
    // Many CRDs at once (the platform's are 8 MB) take minutes on a busy 2-core machine.
    await this.ok(["apply", "--server-side", "--force-conflicts", "--field-manager", "holodeck-test", "-f", "-"], JSON.stringify(list), APPLY_TIMEOUT_MS);
  }

  /** One object, or undefined when it does not exist. */
  async get<T = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    const result = await this.run(["get", resource, name, "-o", "json", ...(namespace ? ["-n", namespace] : [])]);
    if (result.code !== 0) {
      if (/NotFound|not found/.test(result.stderr)) return undefined;
      throw new Error(`kubectl get ${resource} ${name} failed: ${result.stderr.trim()}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  /** Every object of `resource` (in `namespace`, or all namespaces when omitted). */
  async list<T = KubeObject>(resource: string, namespace?: string, selector?: string): Promise<T[]> {
    const scope = namespace ? ["-n", namespace] : ["--all-namespaces"];
    const out = await this.ok(["get", resource, "-o", "json", ...scope, ...(selector ? ["-l", selector] : [])]);
    return (JSON.parse(out) as { items: T[] }).items;
  }
}
