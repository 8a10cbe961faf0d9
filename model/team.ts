// Teams (issue 14, docs/tenancy.md): who owns which services and domains. A team file
// `teams/<team>.json` in services-root is the platform's source of truth for a service's
// namespace, identity and Argo CD project; these are its types, the names derived from it and
// the rules across files that a JSON schema cannot express.

/** Domains a service may belong to (contracts §8): first host label and Vault path prefix. */
export const SERVICE_DOMAINS = ["services", "payments", "identity", "catalog", "data"] as const;
export type ServiceDomain = (typeof SERVICE_DOMAINS)[number];

export interface TeamService {
  name: string;
  domain: ServiceDomain;
}

export interface Team {
  team: string;
  /** OIDC `groups` claim values; Kubernetes sees them as `sso:<group>`. */
  ssoGroups: string[];
  domains: ServiceDomain[];
  services: TeamService[];
  alerts?: { slackChannel: string };
}

/** The folder of services-root holding one `<team>.json` per team. */
export const TEAMS_FOLDER = "teams";

/**
 * The services-root branch Argo CD reads. Pipelines push `main`; only the publish gate
 * (cli/services/publish.ts, services-root's own pipeline) writes this branch, and it withholds an
 * entry change not proven to come from that service's own pipeline.
 */
export const SERVICES_ROOT_PUBLISHED_BRANCH = "published";
/** The branch's full ref, as Argo CD is given it: a tag of the same name (any pipeline may push one) never shadows it. */
export const SERVICES_ROOT_PUBLISHED_REF = `refs/heads/${SERVICES_ROOT_PUBLISHED_BRANCH}`;

/** Labels the platform puts on every service namespace (the admission policy reads them). */
export const SERVICE_LABEL = "holodeck.dev/service";
export const TEAM_LABEL = "holodeck.dev/team";
export const DOMAIN_LABEL = "holodeck.dev/domain";

/** The ServiceAccount of each service namespace that Argo CD impersonates to sync the service. */
export const DEPLOYER_SERVICE_ACCOUNT = "argocd-deployer";

/** Prefix the EKS OIDC identity provider config puts before SSO groups and user names. */
export const SSO_PREFIX = "sso:";

/** The team's Argo CD project. */
export function teamProject(team: string): string {
  return `team-${team}`;
}

/** One team file as read from disk: its path inside services-root and its (schema-valid) content. */
export interface TeamFile {
  file: string;
  team: Team;
}

/** A rule broken across team files: which file, which key, what is wrong, what was expected. */
export interface TeamProblem {
  file: string;
  field: string;
  message: string;
  expected: string;
}

/** Where a service belongs: its team and domain. */
export interface ServiceOwner {
  team: string;
  domain: ServiceDomain;
}

/**
 * The rules across team files: `team` equals the file name, each domain has exactly one team,
 * each service exactly one team, and a service's domain is one of its team's domains.
 */
export function teamProblems(files: readonly TeamFile[]): TeamProblem[] {
  const problems: TeamProblem[] = [];
  const domainOwner = new Map<string, string>();
  const serviceOwner = new Map<string, string>();
  for (const { file, team } of files) {
    const stem = file.replace(/^.*\//, "").replace(/\.json$/, "");
    if (team.team !== stem) {
      problems.push({
        file,
        field: "team",
        message: `is "${team.team}" but the file is named "${stem}.json"`,
        expected: `"${stem}" (the file name without .json)`,
      });
    }
    for (const domain of team.domains) {
      const other = domainOwner.get(domain);
      if (other !== undefined) {
        problems.push({ file, field: "domains", message: `"${domain}" is already owned by ${other}`, expected: "each domain owned by exactly one team" });
      } else domainOwner.set(domain, file);
    }
    team.services.forEach((service, index) => {
      const other = serviceOwner.get(service.name);
      if (other !== undefined) {
        problems.push({
          file,
          field: `services/${index}/name`,
          message: `"${service.name}" is already listed by ${other}`,
          expected: "each service listed by exactly one team",
        });
      } else serviceOwner.set(service.name, file);
      if (!team.domains.includes(service.domain)) {
        problems.push({
          file,
          field: `services/${index}/domain`,
          message: `"${service.domain}" (service "${service.name}") is not one of this team's domains`,
          expected: `one of ${team.domains.join(", ")}`,
        });
      }
    });
  }
  return problems;
}

/** The team and domain owning `service`, or undefined when no team lists it. */
export function ownerOf(teams: readonly Team[], service: string): ServiceOwner | undefined {
  for (const team of teams) {
    const entry = team.services.find((s) => s.name === service);
    if (entry) return { team: team.team, domain: entry.domain };
  }
  return undefined;
}
