// docs/bootstrap.md names chart versions (what is installed, which values keys were checked
// against which chart); every one of them must be the pin of bootstrap/versions.ts.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CHARTS } from "../../bootstrap/versions";
import { REPO_ROOT } from "../harness/stacks";

const DOC = readFileSync(path.join(REPO_ROOT, "docs", "bootstrap.md"), "utf8");
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("docs/bootstrap.md chart versions", () => {
  it.each(Object.values(CHARTS))("names $chart only at its pinned version", (pin) => {
    const named = [...DOC.matchAll(new RegExp(`(?<![\\w-])${escape(pin.chart)}\`? (v?\\d+\\.\\d+\\.\\d+)`, "g"))].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((version) => version !== pin.version)).toEqual([]);
  });
});
