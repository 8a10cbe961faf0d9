// The processes of one control plane: each started in its own process group (so a program's
// children, e.g. the repo-server's helm and git, go with it), its output in a log file, and
// always stopped: by stop(), by the exit handlers of this process, and by a watchdog shell that
// kills every recorded group when this process disappears without running its handlers (a
// SIGKILLed test worker).
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface ProcessSpec {
  /** Short name: the log file is <dir>/<name>.log. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** argv[0] the program sees (Argo CD's multi-call binary picks its component by it). */
  argv0?: string;
}

export interface Started {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  exited: boolean;
  exitCode: number | null;
}

const live = new Set<Processes>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const group of live) group.killNow();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const group of live) group.killNow();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/** The last `lines` lines of a file (empty if it does not exist). */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

export class Processes {
  readonly started: Started[] = [];
  private readonly groupsFile: string;
  private watchdog?: ChildProcess;

  constructor(readonly dir: string) {
    this.groupsFile = path.join(dir, "process-groups");
    writeFileSync(this.groupsFile, "");
    installExitHandlers();
    live.add(this);
    // Kills every recorded group once this Node process is gone, however it went.
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; for g in $(cat '${this.groupsFile}'); do kill -KILL -- -$g 2>/dev/null; done`;
    this.watchdog = spawn("bash", ["-c", script], { detached: true, stdio: "ignore" });
    this.watchdog.unref();
  }

  start(spec: ProcessSpec): Started {
    const log = path.join(this.dir, `${spec.name}.log`);
    const fd = openSync(log, "a");
    const child = spawn(spec.command, spec.args, {
      argv0: spec.argv0,
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", fd, fd],
      detached: true,
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command}): ${tail(log)}`);
    appendFileSync(this.groupsFile, `${child.pid}\n`);
    const started: Started = { name: spec.name, pid: child.pid, log, child, exited: false, exitCode: null };
    child.on("exit", (code) => {
      started.exited = true;
      started.exitCode = code;
    });
    child.unref();
    this.started.push(started);
    return started;
  }

  /** Throws with the log tail of the first process that has exited. */
  assertRunning(): void {
    const dead = this.started.find((p) => p.exited);
    if (dead) throw new Error(`${dead.name} exited (code ${dead.exitCode}):\n${tail(dead.log)}`);
  }

  /** SIGTERM every group, SIGKILL what is left after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    for (const p of [...this.started].reverse()) signalGroup(p.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && this.started.some((p) => groupAlive(p.pid))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.killNow();
  }

  /** SIGKILL every group at once (synchronous: usable in an exit handler). */
  killNow(): void {
    for (const p of this.started) signalGroup(p.pid, "SIGKILL");
    if (this.watchdog?.pid !== undefined) signalGroup(this.watchdog.pid, "SIGKILL");
    live.delete(this);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
