// A stand-in GitLab instance's ID-token signer (the real instance cannot run here): an RSA key
// pair, its JWKS as GitLab serves it at /oauth/discovery/keys, and RS256 tokens with GitLab's
// claim names for a job of a given project. The publish gate (cli/services/publish.ts) verifies
// them exactly as it verifies the instance's.
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ID_TOKEN_ENV, SERVICES_ROOT_AUDIENCE, type GitLabClaims, type Jwks } from "../../cli/services/id-token";

export const GITLAB_ISSUER = "https://gitlab.example.com";
export const SERVICES_GROUP = "holodeck/services";

export class GitLabIdTokens {
  readonly jwks: Jwks;
  private readonly privateKey: KeyObject;

  constructor(readonly kid = "gitlab-signing-1") {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" }] };
  }

  private jwksFile?: string;

  /** Writes the JWKS into `dir`; returns the file (the gate's --jwks). */
  writeJwks(dir: string): string {
    const file = path.join(dir, "jwks.json");
    writeFileSync(file, JSON.stringify(this.jwks));
    return file;
  }

  /** `holodeck services publish` for services-root at `repoUrl`, trusting this instance (its JWKS written once). */
  gateArgs(repoUrl: string, ...extra: string[]): string[] {
    this.jwksFile ??= this.writeJwks(mkdtempSync(path.join(tmpdir(), "holodeck-test-jwks-")));
    return ["services", "publish", "--repo", repoUrl, "--jwks", this.jwksFile, "--issuer", GITLAB_ISSUER, "--project-group", SERVICES_GROUP, ...extra];
  }

  /** The claims GitLab gives a job of `project` on its protected default branch, overridden by `claims`. */
  static claimsFor(project: string, claims: Partial<GitLabClaims> = {}): GitLabClaims {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: GITLAB_ISSUER,
      aud: SERVICES_ROOT_AUDIENCE,
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      project_path: project,
      ref: "main",
      ref_protected: "true",
      pipeline_id: "4242",
      job_id: "9001",
      ...claims,
    };
  }

  /** An RS256 token over `claims`, signed with this instance's key (or `key`, to forge one). */
  sign(claims: GitLabClaims, key: KeyObject = this.privateKey, header: Record<string, unknown> = { alg: "RS256", typ: "JWT", kid: this.kid }): string {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${encode(header)}.${encode(claims)}`;
    const signature = createSign("RSA-SHA256").update(input).sign(key).toString("base64url");
    return `${input}.${signature}`;
  }

  /** A token of a deploy job of service `service`'s project. */
  forService(service: string, claims: Partial<GitLabClaims> = {}): string {
    return this.sign(GitLabIdTokens.claimsFor(`${SERVICES_GROUP}/${service}`, claims));
  }
}

/** Runs `run` with `token` as the job's ID token in the environment (none when undefined), as a deploy job's CLI sees it. */
export async function withIdToken<T>(token: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env[ID_TOKEN_ENV];
  if (token) process.env[ID_TOKEN_ENV] = token;
  else delete process.env[ID_TOKEN_ENV];
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env[ID_TOKEN_ENV];
    else process.env[ID_TOKEN_ENV] = saved;
  }
}
