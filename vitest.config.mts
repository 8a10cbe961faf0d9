import { defineConfig } from "vitest/config";

// Two cores on CI: one fork per core. Every stack file is recorded once per run before the
// test files start (test/harness/record-stacks.ts) and shared by them; a file that needs a
// variant (config overrides, another stack file) runs the plan engine itself.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The control-plane scenarios run on their own, one at a time (vitest.control-plane.config.mts).
    exclude: ["test/control-plane/**", "**/node_modules/**"],
    globalSetup: ["test/harness/record-stacks.ts"],
    pool: "forks",
    isolate: false,
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});
