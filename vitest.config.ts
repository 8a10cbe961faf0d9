import { defineConfig } from "vitest/config";

// Two cores on CI: one fork per core; every test file gets fresh module state, so each
// file starts the Pulumi mock runtime for its own stack(s) only once (in beforeAll).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});
