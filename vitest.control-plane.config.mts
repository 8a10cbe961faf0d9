import { defineConfig } from "vitest/config";

// The control-plane suite (test/control-plane, docs/testing.md): each file starts its own real
// Kubernetes control plane and Argo CD (own temporary folder, own loopback ports), so files are
// isolated and run side by side: a scenario mostly waits on controllers, and waiting overlaps.
// HOLODECK_CONTROL_PLANE_WORKERS caps how many run at once (default 6, all of them: each control
// plane needs about 1.5 GB of memory and most of a core only while it starts). Stacks are
// recorded once per run (stack files only: test/control-plane/harness/record-stacks.ts).
const workers = Number(process.env.HOLODECK_CONTROL_PLANE_WORKERS ?? "6");
if (!Number.isInteger(workers) || workers < 1) {
  throw new Error(`HOLODECK_CONTROL_PLANE_WORKERS must be a whole number >= 1, got ${JSON.stringify(process.env.HOLODECK_CONTROL_PLANE_WORKERS)}`);
}

export default defineConfig({
  test: {
    include: ["test/control-plane/**/*.test.ts"],
    globalSetup: ["test/harness/run-tmpdir.ts", "test/control-plane/harness/record-stacks.ts"],
    pool: "forks",
    maxWorkers: workers,
    fileParallelism: workers > 1,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    reporters: ["default"],
  },
});
