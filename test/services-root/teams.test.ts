// The team model (issue 14): team files, the entries' required team and domain, the CLI
// writing both from the team file and `services validate` refusing entries that disagree.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import teamSchema from "../../services-root/team.schema.json";
import serviceSchema from "../../services-root/service.schema.json";
import chartSchema from "../../charts/holodeck-service/values.schema.json";
import { SERVICE_DOMAINS, teamProblems, teamProject, type Team } from "../../model/team";
import { formatError, validateTree } from "../../cli/services/validate";
import { readTeams, validateTeamFile } from "../../cli/services/teams";
import { bareRepo, cli, fileAtTip, gitIn, sha, tempDir } from "../cli/helpers";

const EXAMPLE = path.resolve(__dirname, "..", "..", "services-root", "example");
const checkout: Team = {
  team: "checkout",
  ssoGroups: ["holodeck-team-checkout"],
  domains: ["services"],
  services: [{ name: "python-example", domain: "services" }],
};
const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

describe("one list of domains", () => {
  it("the team schema, the entry schema and the chart's values schema allow exactly SERVICE_DOMAINS", () => {
    expect(teamSchema.$defs.domain.enum).toEqual([...SERVICE_DOMAINS]);
    expect(serviceSchema.properties.domain.enum).toEqual([...SERVICE_DOMAINS]);
    expect(chartSchema.definitions.domain.enum).toEqual([...SERVICE_DOMAINS]);
  });

  it("a team name follows the service-name DNS label rule", () => {
    expect(teamSchema.properties.team.pattern).toBe(serviceSchema.properties.service.pattern);
    expect(serviceSchema.properties.team.pattern).toBe(serviceSchema.properties.service.pattern);
    expect(teamProject("checkout")).toBe("team-checkout");
  });
});

describe("the example services-root tree", () => {
  it("validates: its team file and both entries agree", () => {
    const report = validateTree(EXAMPLE);
    expect(report.errors.map(formatError)).toEqual([]);
    expect(report.filesChecked).toBe(3);
  });

  it("gives teams/ and the pipeline to the platform admins as code owners (with code owner approval on main, no pipeline token can push a team file or the publish job)", () => {
    const owners = fs
      .readFileSync(path.join(EXAMPLE, "CODEOWNERS"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"));
    expect(owners).toEqual([
      "[Teams]",
      "/teams/ @holodeck/platform-admins",
      "[Pipeline]",
      "/.gitlab-ci.yml @holodeck/platform-admins",
      "/CODEOWNERS @holodeck/platform-admins",
    ]);
  });
});

describe("team files", () => {
  it("a schema error names the file, the key and the allowed values", () => {
    const { errors } = validateTeamFile("teams/checkout.json", json({ ...checkout, domains: ["marketing"] }));
    expect(errors.map(formatError)).toEqual([
      "teams/checkout.json: domains/0: must be equal to one of the allowed values (allowed: services, payments, identity, catalog, data); expected " +
        teamSchema.properties.domains.description,
    ]);
  });

  it("a service name that is a platform namespace is refused by the entry rule", () => {
    const { errors } = validateTeamFile("teams/checkout.json", json({ ...checkout, services: [{ name: "argocd", domain: "services" }] }));
    expect(errors.map((e) => e.field)).toEqual(["services/0/name"]);
  });

  it("cross-file rules: team = file name, one team per domain and per service, a service's domain among its team's", () => {
    const problems = teamProblems([
      { file: "teams/checkout.json", team: checkout },
      {
        file: "teams/shop.json",
        team: { ...checkout, team: "other", domains: ["services", "catalog"], services: [{ name: "python-example", domain: "payments" }] },
      },
    ]);
    expect(problems.map((p) => `${p.file}: ${p.field}: ${p.message}; expected ${p.expected}`)).toEqual([
      'teams/shop.json: team: is "other" but the file is named "shop.json"; expected "shop" (the file name without .json)',
      'teams/shop.json: domains: "services" is already owned by teams/checkout.json; expected each domain owned by exactly one team',
      'teams/shop.json: services/0/name: "python-example" is already listed by teams/checkout.json; expected each service listed by exactly one team',
      'teams/shop.json: services/0/domain: "payments" (service "python-example") is not one of this team\'s domains; expected one of services, catalog',
    ]);
  });

  it("only teams/<team>.json files belong in teams/", () => {
    const { errors } = readTeams([{ path: "teams/nested/x.json", bytes: json(checkout) }]);
    expect(errors.map(formatError)).toEqual(["teams/nested/x.json: (path): is not a team file; expected teams/<team>.json"]);
  });
});

/** A copy of the example tree with `edit` applied to one file's JSON. */
function exampleWith(file: string, edit: (value: Record<string, unknown>) => Record<string, unknown>): string {
  const dir = tempDir("teams");
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  const target = path.join(dir, file);
  fs.writeFileSync(target, json(edit(JSON.parse(fs.readFileSync(target, "utf8")) as Record<string, unknown>)));
  return dir;
}

describe("services validate refuses entries whose team or domain disagree with teams/", () => {
  it("names the file, the key and the value the team file gives", () => {
    const dir = exampleWith("staging/python-example.json", (v) => ({ ...v, team: "payments-team", domain: "payments" }));
    expect(validateTree(dir).errors.map(formatError)).toEqual([
      'staging/python-example.json: team: is "payments-team" but teams/checkout.json lists "python-example"; expected "checkout"',
      'staging/python-example.json: domain: is "payments" but teams/checkout.json gives "python-example" domain "services"; expected "services"',
    ]);
  });

  it("refuses an entry of a service no team lists", () => {
    const dir = exampleWith("teams/checkout.json", (v) => ({ ...v, services: [] }));
    expect(validateTree(dir).errors.map(formatError)).toEqual([
      'production/python-example.json: service: "python-example" is listed by no team file; expected a team file teams/<team>.json whose "services" has {"name": "python-example", ...} (teams: checkout)',
      'staging/python-example.json: service: "python-example" is listed by no team file; expected a team file teams/<team>.json whose "services" has {"name": "python-example", ...} (teams: checkout)',
    ]);
  });

  it("refuses an entry without team and domain (both required)", () => {
    const dir = exampleWith("staging/python-example.json", (v) => ({
      cluster: v.cluster,
      service: v.service,
      imageTag: v.imageTag,
      targetRevision: v.targetRevision,
    }));
    expect(validateTree(dir).errors.map((e) => `${e.file}: ${e.field}: ${e.message}`)).toEqual([
      "staging/python-example.json: team: is missing",
      "staging/python-example.json: domain: is missing",
    ]);
  });
});

/** A bare services-root whose main holds the example team file (and nothing else). */
function servicesRootWithTeam(team: Team = checkout): { url: string; dir: string } {
  const bare = bareRepo();
  const work = tempDir("seed");
  gitIn(work, ["init", "-q", "-b", "main"]);
  fs.mkdirSync(path.join(work, "teams"));
  fs.writeFileSync(path.join(work, "teams", `${team.team}.json`), json(team));
  gitIn(work, ["add", "."]);
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "team"], { cwd: work });
  gitIn(work, ["push", "-q", bare.url, "main"]);
  return bare;
}

describe("the CLI writes team and domain from the team file", () => {
  const image = sha("team-image");
  const revision = sha("team-revision");

  it("deploy writes both; promote keeps them; the entry validates", async () => {
    const repo = servicesRootWithTeam();
    const deployed = await cli(
      "services",
      "deploy",
      "--repo",
      repo.url,
      "--env",
      "staging",
      "--service",
      "python-example",
      "--image-tag",
      image,
      "--revision",
      revision,
    );
    expect(deployed.stderr).toBe("");
    expect(deployed.code).toBe(0);
    expect(JSON.parse(fileAtTip(repo.dir, "staging/python-example.json") ?? "{}")).toEqual({
      cluster: "staging",
      service: "python-example",
      team: "checkout",
      domain: "services",
      imageTag: image,
      targetRevision: revision,
    });
    const promoted = await cli("services", "promote", "--repo", repo.url, "--from", "staging", "--to", "production", "--service", "python-example");
    expect(promoted.code).toBe(0);
    expect(JSON.parse(fileAtTip(repo.dir, "production/python-example.json") ?? "{}")).toMatchObject({ team: "checkout", domain: "services" });
  });

  it("deploy refuses (exit 1) a service no team lists, saying where to add it", async () => {
    const repo = servicesRootWithTeam();
    const refused = await cli(
      "services",
      "deploy",
      "--repo",
      repo.url,
      "--env",
      "staging",
      "--service",
      "orphan",
      "--image-tag",
      image,
      "--revision",
      revision,
    );
    expect(refused.stderr).toContain(
      'service "orphan" is listed by no team file: add {"name": "orphan", "domain": "<domain>"} to "services" of teams/<team>.json (teams: checkout)',
    );
    expect(refused.code).toBe(1);
    expect(fileAtTip(repo.dir, "staging/orphan.json")).toBeUndefined();
  });
});
