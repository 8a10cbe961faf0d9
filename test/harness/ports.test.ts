import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, workerSlice } from "./ports";

const EPHEMERAL_LOW = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
const held: Server[] = [];

function hold(port: number): Promise<void> {
  const server = createServer();
  held.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

describe("loopback ports for the programs the tests start", () => {
  afterAll(async () => Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve)))));

  it("come from below the ephemeral range, so no outgoing connection takes one before its program binds it", async () => {
    const ports = await Promise.all(Array.from({ length: 50 }, freePort));
    const { first, end } = workerSlice();
    expect(end).toBeLessThanOrEqual(EPHEMERAL_LOW);
    expect(ports.filter((p) => p < first || p >= end)).toEqual([]);
    expect(new Set(ports).size).toBe(50);
  });

  it("skip a port another program holds", async () => {
    const { first, end } = workerSlice();
    const after = (port: number): number => (port + 1 >= end ? first : port + 1);
    const probe = await freePort();
    // The next number in this worker's slice is the one after probe; held, it must be skipped.
    await hold(after(probe));
    expect(await freePort()).toBe(after(after(probe)));
  });
});
