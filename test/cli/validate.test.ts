import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { validateTree, type TreeReport } from "../../cli/services/validate";
import { parseStrictJson, JsonSyntaxError } from "../../cli/services/strict-json";
import { isFullSha, serviceNameProblem, ENVIRONMENTS, RESERVED_SERVICE_NAMES } from "../../cli/services/record";
import { PLATFORM_NAMESPACES } from "../../bootstrap/handoff/handoff";
import { GATEWAY_NAMESPACE } from "../../bootstrap/gateway/constants";
import type { ServiceOwner, Team } from "../../model/team";
import { cli, expectedFile, REPO_ROOT, sha, teamFileContent, teamFilePath, TEST_DOMAIN, TEST_OWNER, TEST_TEAM, tempDir, testTeam } from "./helpers";

const A = sha("a");
const good = (cluster: string, service: string): string => expectedFile(cluster, service, A);
const obj = (fields: Record<string, unknown>): string => `${JSON.stringify(fields, null, 2)}\n`;
const valid = (cluster: string, service: string): Record<string, unknown> => ({ cluster, service, ...TEST_OWNER, imageTag: A, targetRevision: A });

/** Writes `files` (path inside services-root → content) and the team files under `root`. */
function writeTree(root: string, teams: readonly Team[], files: ReadonlyArray<{ file: string; content: string | Buffer }>): void {
  const teamFiles = teams.map((team) => ({ file: teamFilePath(team.team), content: teamFileContent(team) }));
  for (const { file, content } of [...teamFiles, ...files]) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
}

/** Each malformed file and the exact fields its errors must name. */
const MALFORMED: ReadonlyArray<{ file: string; content: string | Buffer; fields: string[] }> = [
  { file: "staging/bad-json.json", content: '{"cluster": "staging" "service": "bad-json"}\n', fields: ["(file)"] },
  { file: "staging/missing-key.json", content: obj({ cluster: "staging", service: "missing-key", ...TEST_OWNER, targetRevision: A }), fields: ["imageTag"] },
  { file: "staging/extra-key.json", content: obj({ ...valid("staging", "extra-key"), owner: "team-a" }), fields: ["owner"] },
  { file: "staging/short-sha.json", content: obj({ ...valid("staging", "short-sha"), imageTag: A.slice(0, 7) }), fields: ["imageTag"] },
  { file: "staging/upper-sha.json", content: obj({ ...valid("staging", "upper-sha"), targetRevision: A.toUpperCase() }), fields: ["targetRevision"] },
  { file: "staging/numeric-tag.json", content: obj({ ...valid("staging", "numeric-tag"), imageTag: 42 }), fields: ["imageTag"] },
  { file: "staging/wrong-folder.json", content: good("production", "wrong-folder"), fields: ["cluster"] },
  { file: "staging/unknown-cluster-value.json", content: obj(valid("qa", "unknown-cluster-value")), fields: ["cluster"] },
  { file: "staging/file-name.json", content: good("staging", "other-name"), fields: ["service"] },
  { file: "staging/Upper.json", content: good("staging", "Upper"), fields: ["(file name)", "service"] },
  { file: "staging/under_score.json", content: good("staging", "under_score"), fields: ["(file name)", "service"] },
  { file: `staging/${"x".repeat(64)}.json`, content: good("staging", "x".repeat(64)), fields: ["(file name)", "service"] },
  { file: "staging/1abc.json", content: good("staging", "1abc"), fields: ["(file name)", "service"] },
  { file: `staging/${"x".repeat(31)}.json`, content: good("staging", "x".repeat(31)), fields: ["(file name)", "service"] },
  { file: "staging/argocd.json", content: good("staging", "argocd"), fields: ["(file name)", "service"] },
  { file: "production/kube-system.json", content: good("production", "kube-system"), fields: ["(file name)", "service"] },
  { file: "staging/array.json", content: `[${JSON.stringify(valid("staging", "array"))}]\n`, fields: ["(root)"] },
  { file: "staging/empty.json", content: "", fields: ["(file)"] },
  {
    file: "staging/duplicate.json",
    content: `{"cluster": "staging", "service": "duplicate", "team": "${TEST_TEAM}", "domain": "${TEST_DOMAIN}", "imageTag": "${sha("old")}", "imageTag": "${A}", "targetRevision": "${A}"}\n`,
    fields: ["imageTag"],
  },
  { file: "staging/bom.json", content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good("staging", "bom"))]), fields: ["(file)"] },
  { file: "staging/no-newline.json", content: good("staging", "no-newline").trimEnd(), fields: ["(file)"] },
  { file: "staging/two-objects.json", content: good("staging", "two-objects") + good("staging", "two-objects"), fields: ["(file)"] },
  { file: "staging/latin1.json", content: Buffer.from(good("staging", "latin1").replace(A, "caf\xe9"), "latin1"), fields: ["(file)"] },
  { file: "production/null.json", content: "null\n", fields: ["(root)"] },
  { file: "staging/notes.yaml", content: "cluster: staging\n", fields: ["(path)"] },
  { file: "top-level.json", content: good("staging", "top-level"), fields: ["(path)"] },
  { file: "qa/svc.json", content: good("qa", "svc"), fields: ["(folder)"] },
];

describe("services validate: every malformed file is rejected with its file and field", () => {
  let root: string;
  let report: TreeReport;
  beforeAll(() => {
    root = tempDir("validate");
    fs.writeFileSync(path.join(root, "README.md"), "# services-root\n");
    fs.mkdirSync(path.join(root, ".git"));
    fs.writeFileSync(path.join(root, ".git", "HEAD"), "not json");
    writeTree(
      root,
      [testTeam(["ok"])],
      [...MALFORMED, { file: "staging/ok.json", content: good("staging", "ok") }, { file: "production/ok.json", content: good("production", "ok") }],
    );
    report = validateTree(root);
  });

  it("covers at least 15 malformed files in one run", () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(15);
    const reported = new Set(report.errors.map((e) => e.file));
    expect([...reported].sort()).toEqual(MALFORMED.map((m) => (m.file === "qa/svc.json" ? "qa/" : m.file)).sort());
  });

  it.each(MALFORMED)("$file → $fields", ({ file, fields }) => {
    const errors = report.errors.filter((e) => e.file === (file === "qa/svc.json" ? "qa/" : file));
    expect(errors.map((e) => e.field).sort()).toEqual([...fields].sort());
    for (const error of errors) {
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.expected.length).toBeGreaterThan(0);
    }
  });

  it("states what was expected in words a developer can act on", () => {
    const find = (file: string, field: string) => report.errors.find((e) => e.file === file && e.field === field);
    expect(find("staging/short-sha.json", "imageTag")?.expected).toMatch(/40-character lowercase hex/);
    expect(find("staging/short-sha.json", "imageTag")?.message).toContain(`"${A.slice(0, 7)}"`);
    expect(find("staging/wrong-folder.json", "cluster")?.expected).toBe('"staging" (the folder name)');
    expect(find("staging/file-name.json", "service")?.expected).toBe('"file-name" (the file name without .json)');
    expect(find("staging/extra-key.json", "owner")?.expected).toBe("only the keys cluster, service, team, domain, imageTag, targetRevision");
    expect(find("staging/duplicate.json", "imageTag")?.message).toBe("key appears more than once (again at line 1)");
    expect(find("staging/bom.json", "(file)")?.expected).toBe("UTF-8 without BOM");
    expect(find("qa/", "(folder)")?.expected).toBe("one of: staging, production");
  });

  it("checks the valid files and the team file and skips hidden folders and repository files", () => {
    expect(report.errors.some((e) => e.file.includes("ok.json") || e.file.startsWith(".git") || e.file === "README.md" || e.file.startsWith("teams/"))).toBe(
      false,
    );
    // the malformed entries, the two ok.json and the one team file
    expect(report.filesChecked).toBe(MALFORMED.filter((m) => m.file.endsWith(".json") && /^(staging|production)\//.test(m.file)).length + 3);
  });

  it("exits 1 and prints every error as JSON for machines", async () => {
    const result = await cli("services", "validate", root, "--json");
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as TreeReport;
    expect(parsed.errors).toEqual(report.errors);
  });

  it("prints one line per error naming file, field and expectation", async () => {
    const result = await cli("services", "validate", root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`staging/short-sha.json: imageTag: is "${A.slice(0, 7)}"`);
    expect(result.stderr).toContain(`${report.errors.length} error(s) in ${report.filesChecked} file(s)`);
  });
});

describe("services validate: entries agree with the team files", () => {
  const payments: ServiceOwner = { team: "payments", domain: "payments" };
  let root: string;
  let report: TreeReport;
  beforeAll(() => {
    root = tempDir("validate-teams");
    writeTree(
      root,
      [testTeam(["right", "wrong-team", "wrong-domain"]), testTeam(["ledger"], payments)],
      [
        { file: "staging/right.json", content: good("staging", "right") },
        { file: "production/ledger.json", content: expectedFile("production", "ledger", A, A, payments) },
        { file: "staging/wrong-team.json", content: expectedFile("staging", "wrong-team", A, A, { team: "payments", domain: TEST_DOMAIN }) },
        { file: "staging/wrong-domain.json", content: expectedFile("staging", "wrong-domain", A, A, { team: TEST_TEAM, domain: "payments" }) },
        { file: "production/unlisted.json", content: good("production", "unlisted") },
      ],
    );
    report = validateTree(root);
  });

  it("names the file, the key and the value the team file gives", () => {
    expect(report.filesChecked).toBe(7);
    expect(report.errors).toEqual([
      {
        file: "production/unlisted.json",
        field: "service",
        message: '"unlisted" is listed by no team file',
        expected: `a team file teams/<team>.json whose "services" has {"name": "unlisted", ...} (teams: ${TEST_TEAM}, payments)`,
      },
      {
        file: "staging/wrong-domain.json",
        field: "domain",
        message: `is "payments" but ${teamFilePath(TEST_TEAM)} gives "wrong-domain" domain "${TEST_DOMAIN}"`,
        expected: `"${TEST_DOMAIN}"`,
      },
      {
        file: "staging/wrong-team.json",
        field: "team",
        message: `is "payments" but ${teamFilePath(TEST_TEAM)} lists "wrong-team"`,
        expected: `"${TEST_TEAM}"`,
      },
    ]);
  });

  it("exits 1 and prints each disagreement as file: key: message; expected value", async () => {
    const result = await cli("services", "validate", root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `staging/wrong-team.json: team: is "payments" but ${teamFilePath(TEST_TEAM)} lists "wrong-team"; expected "${TEST_TEAM}"\n`,
    );
    expect(result.stderr).toContain(
      `staging/wrong-domain.json: domain: is "payments" but ${teamFilePath(TEST_TEAM)} gives "wrong-domain" domain "${TEST_DOMAIN}"; expected "${TEST_DOMAIN}"\n`,
    );
    expect(result.stderr).toContain("3 error(s) in 7 file(s)");
  });

  it("accepts the same tree once the entries agree", async () => {
    for (const file of ["staging/wrong-team.json", "staging/wrong-domain.json", "production/unlisted.json"]) fs.rmSync(path.join(root, file));
    writeTree(
      root,
      [],
      [
        { file: "staging/wrong-team.json", content: good("staging", "wrong-team") },
        { file: "staging/wrong-domain.json", content: good("staging", "wrong-domain") },
      ],
    );
    expect(await cli("services", "validate", root)).toEqual({ code: 0, stdout: "ok: 6 files valid\n", stderr: "" });
  });
});

describe("services validate on good trees", () => {
  it("accepts the example services-root tree shipped in this repo", async () => {
    const result = await cli("services", "validate", path.join(REPO_ROOT, "services-root", "example"));
    expect(result).toEqual({ code: 0, stdout: "ok: 3 files valid\n", stderr: "" }); // two entries and teams/checkout.json
  });

  it("is a usage error (exit 2) when the directory does not exist", async () => {
    const result = await cli("services", "validate", "/nonexistent/services-root");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"/nonexistent/services-root" is not a directory');
  });
});

describe("strict JSON reader", () => {
  it("reports duplicate keys with their dotted path and line", () => {
    const { duplicates } = parseStrictJson('{"a": {"b": 1,\n "b": 2}, "a": 3}');
    expect(duplicates).toEqual([
      { path: "a.b", line: 2, column: 2 },
      { path: "a", line: 2, column: 11 },
    ]);
  });

  it("keeps __proto__ as plain data", () => {
    const { value } = parseStrictJson('{"__proto__": {"polluted": true}}');
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"a": 1,}', "expected a double-quoted key at line 1 column 9"],
    ['{"a": tru}', 'unexpected character "t": expected a value at line 1 column 7'],
    ["{} {}", "unexpected content after the first JSON value (exactly one object per file) at line 1 column 4"],
    ['"a\tb"', "invalid string (unterminated, raw control character or bad escape) at line 1 column 1"],
    ["[1,", "unexpected end of input: expected a value at line 1 column 4"],
  ])("rejects %j", (text, message) => {
    expect(() => parseStrictJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseStrictJson(text)).toThrow(message);
  });

  it("reads values exactly like JSON.parse", () => {
    const text = '{"s": "\\u00e9\\n", "n": -1.5e3, "t": true, "f": false, "z": null, "l": [0, {}]}';
    expect(parseStrictJson(text).value).toEqual(JSON.parse(text));
  });
});

describe("the schema and the CLI's flag checks say the same thing", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "services-root", "service.schema.json"), "utf8")) as {
    $schema: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { enum?: string[]; pattern?: string; maxLength?: number; not?: { enum: string[] } }>;
  };

  it("is draft 2020-12, closed, with the six contract keys", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["cluster", "service", "team", "domain", "imageTag", "targetRevision"]);
    expect(Object.keys(schema.properties)).toEqual(schema.required);
  });

  it("knows the same clusters", () => {
    expect(schema.properties.cluster.enum).toEqual([...ENVIRONMENTS]);
  });

  it.each(["a", "python-example", "a1-b2", "x".repeat(30), "A", "-a", "a-", "a_b", "a.b", "1abc", "x".repeat(31), "", "argocd", "kube-system", "vault"])(
    "service %j",
    (name) => {
      const { pattern, maxLength } = schema.properties.service;
      const reserved = schema.properties.service.not?.enum ?? [];
      expect(serviceNameProblem(name) === undefined).toBe(new RegExp(pattern ?? "").test(name) && name.length <= (maxLength ?? 0) && !reserved.includes(name));
    },
  );

  it("accepts exactly the service names the holodeck-service chart renders (its dnsLabel)", () => {
    const chart = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "charts", "holodeck-service", "values.schema.json"), "utf8")) as {
      definitions: { dnsLabel: { pattern: string } };
    };
    expect(schema.properties.service.pattern).toBe(chart.definitions.dnsLabel.pattern);
    expect(schema.properties.service.maxLength).toBe(30);
  });

  it("reserves every namespace the services project may not deploy into, and every platform app's", () => {
    expect(PLATFORM_NAMESPACES.length).toBeGreaterThan(10);
    expect(RESERVED_SERVICE_NAMES).toEqual(PLATFORM_NAMESPACES);
    const appsetDir = path.join(REPO_ROOT, "platform-apps", "applicationsets");
    const platformNamespaces = fs
      .readdirSync(appsetDir)
      .flatMap((file) => [...fs.readFileSync(path.join(appsetDir, file), "utf8").matchAll(/^\s+namespace: ([a-z][-a-z0-9]*)\s*$/gm)].map((m) => m[1]));
    expect(platformNamespaces).toContain("monitoring");
    for (const namespace of ["argocd", "vault", "kube-system", "kube-public", "default", GATEWAY_NAMESPACE, ...platformNamespaces]) {
      expect(RESERVED_SERVICE_NAMES, namespace).toContain(namespace);
    }
  });

  it.each([A, A.toUpperCase(), A.slice(1), `${A}0`, "g".repeat(40)])("sha %j", (value) => {
    for (const key of ["imageTag", "targetRevision"]) {
      expect(isFullSha(value)).toBe(new RegExp(schema.properties[key].pattern ?? "").test(value));
    }
  });
});
