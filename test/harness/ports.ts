import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Loopback ports for the programs the tests start (etcd, kube-apiserver, kwok, Argo CD,
 * nats-server). Asking the kernel for port 0 and handing the number on is racy: the number comes
 * from the ephemeral range, and before the program binds it any outgoing connection on the
 * machine (the control planes open thousands) may take it as its source port — CI saw kwok fail
 * with "bind: address already in use" that way. So ports come from below the ephemeral range,
 * where the kernel never picks a source port, from a slice of its own per vitest worker (workers
 * are separate processes), never handed out twice in one worker, and each checked free by binding.
 */
const LOWEST_PORT = 10000;
const SLICE_PORTS = 2000;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    return Number(low);
  } catch {
    return 32768; // Linux's default when /proc is not readable
  }
}

/** This worker's ports: first .. end - 1. */
export function workerSlice(): { first: number; end: number } {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
  const slices = Math.floor((ephemeralLow() - LOWEST_PORT) / SLICE_PORTS);
  if (slices < 1) throw new Error(`no ports below the ephemeral range (ip_local_port_range starts at ${ephemeralLow()})`);
  const first = LOWEST_PORT + ((worker - 1) % slices) * SLICE_PORTS;
  return { first, end: first + SLICE_PORTS };
}

const handedOut = new Set<number>();
let next = 0;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A loopback port no other program holds now, and that this worker has not handed out before. */
export async function freePort(): Promise<number> {
  const { first, end } = workerSlice();
  if (next === 0) next = first + (process.pid % SLICE_PORTS);
  for (let tried = 0; tried < SLICE_PORTS; tried++) {
    const port = next;
    next = next + 1 >= end ? first : next + 1;
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port in ${first}-${end - 1}`);
}
