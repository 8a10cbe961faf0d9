// The container registry's shape (stack config `holodeck:registry`): which stack holds the
// registry of record (CI pushes there, it replicates to every other stack) and which are replicas.

/** One destination of the source registry's replication: another stack's account + region. */
export interface RegistryReplica {
  region: string;
  accountId: string;
}

/** The registry of record: GitLab pushes here and ECR replicates every image to `replicateTo`. */
export interface SourceRegistryConfig {
  source: true;
  /** GitLab instance URL = OIDC issuer of its CI job tokens, e.g. https://gitlab.com. */
  gitlabUrl: string;
  /** Group of the service projects, derived from serviceRepoUrlPrefix, e.g. holodeck/services. */
  gitlabGroup: string;
  /** Only pipelines of this branch may push (the default branch of the service projects). */
  defaultBranch: string;
  replicateTo: RegistryReplica[];
}

/** A replica: ECR replication fills it; nobody pushes to it. */
export interface ReplicaRegistryConfig {
  source: false;
  /** Account of the registry of record; this stack's own account when the key is omitted. */
  sourceAccountId: string;
  /** Region of the registry of record (Argo CD pulls the service chart there); this stack's region when omitted. */
  sourceRegion: string;
}

export type RegistryConfig = SourceRegistryConfig | ReplicaRegistryConfig;
