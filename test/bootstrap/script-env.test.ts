// The Job scripts are constant text (bootstrap/vault/*.sh): every value reaches them through
// their container's environment. Each upper-case variable a script reads is set by exactly the
// container that runs it (or by the script itself), so a renamed or dropped env var fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { INIT_SCRIPT } from "../../bootstrap/vault/init";
import { TLS_RELOAD_SCRIPT } from "../../bootstrap/vault/server-config";
import { SNAPSHOT_SCRIPT, UPLOAD_SCRIPT } from "../../bootstrap/vault/snapshots";
import { recordedStack, type StackRecording } from "../harness/stacks";
import { STACKS, input, release } from "./helpers";

interface Container {
  name: string;
  command: string[];
  env: { name: string }[];
}

/** Upper-case variables the script reads minus those it assigns itself (PATH comes from the image). */
function readVariables(script: string): string[] {
  const assigned = new Set([...script.matchAll(/^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const read = [...script.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]);
  return [...new Set(read)].filter((name) => !assigned.has(name) && name !== "PATH").sort();
}

describe.each(STACKS)("%s Job scripts get every value from their container", (stack) => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });
  const check = (container: Container, script: string): void => {
    expect(container.command).toEqual(["/bin/sh", "-c", script]);
    const env = new Set(container.env.map((e) => e.name));
    expect(readVariables(script).filter((name) => !env.has(name))).toEqual([]);
  };

  it("init Job", () => {
    const [init] = input<Container[]>(rec.one("kubernetes:batch/v1:Job", "-vault-init-job"), "spec.template.spec.containers");
    expect(readVariables(INIT_SCRIPT)).toContain("DEPLOY_ROLE_ARNS");
    check(init, INIT_SCRIPT);
  });

  it("raft snapshot CronJob (snapshot and upload steps)", () => {
    const cron = rec.one("kubernetes:batch/v1:CronJob", "-vault-snapshots-cronjob");
    check(input<Container[]>(cron, "spec.jobTemplate.spec.template.spec.initContainers")[0], SNAPSHOT_SCRIPT);
    check(input<Container[]>(cron, "spec.jobTemplate.spec.template.spec.containers")[0], UPLOAD_SCRIPT);
  });

  it("TLS reloader sidecar", () => {
    check(input<Container[]>(release(rec, "vault"), "values.server.extraContainers")[0], TLS_RELOAD_SCRIPT);
  });
});
