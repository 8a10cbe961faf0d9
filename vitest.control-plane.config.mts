import { defineConfig } from "vitest/config";

// The control-plane suite (test/control-plane, docs/testing.md): each file starts a real
// Kubernetes control plane and Argo CD, so files run one at a time (one control plane on 2
// cores). Stacks are recorded once per run, as in the unit suite.
export default defineConfig({
  test: {
    include: ["test/control-plane/**/*.test.ts"],
    globalSetup: ["test/harness/record-stacks.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    reporters: ["default"],
  },
});
