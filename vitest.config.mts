import * as path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files known to take longest, run first. Vitest orders files by their last durations, but only
 * from its results cache: on a fresh clone (CI) it keeps the glob order, the generated services'
 * own test suites (test/template) start last and one core idles at the end (199 s instead of
 * about 175 s). Within each group, and for the rest, vitest's own order stays.
 */
const SLOW_FIRST = [
  "test/template/docs.test.ts",
  "test/template/",
  "test/cli/concurrency.test.ts",
  "test/cli/publish",
  "test/bootstrap/gateway-edge.test.ts",
  "test/pipeline/",
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const relative = path.relative(process.cwd(), file.moduleId).split(path.sep).join("/");
      const index = SLOW_FIRST.findIndex((prefix) => relative.startsWith(prefix));
      return index < 0 ? SLOW_FIRST.length : index;
    };
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

// Two cores on CI: one fork per core. Every stack file is recorded once per run before the
// test files start (test/harness/record-stacks.ts) and shared by them; a file that needs a
// variant (config overrides, another stack file) runs the plan engine itself.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The control-plane scenarios run in their own suite (vitest.control-plane.config.mts).
    exclude: ["test/control-plane/**", "**/node_modules/**"],
    globalSetup: ["test/harness/run-tmpdir.ts", "test/harness/record-stacks.ts"],
    pool: "forks",
    isolate: false,
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 180_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});
