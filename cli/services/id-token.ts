import { createPublicKey, verify, type JsonWebKey } from "node:crypto";

// GitLab CI ID tokens (`id_tokens:` in a job): RS256 JWTs signed by the instance, whose public
// keys are its JWKS (`<gitlab>/oauth/discovery/keys`). The services-root publish gate
// (publish.ts) trusts an entry change only when its commit carries such a token naming the
// service's own project. Node's crypto verifies RS256 with a JWK directly: no JWT library.

/** The trailer a services-root commit carries its writer's ID token in. */
export const ID_TOKEN_TRAILER = "Holodeck-Id-Token";
/** The job variable GitLab puts the token in (template .gitlab-ci.yml `id_tokens:`). */
export const ID_TOKEN_ENV = "SERVICES_ROOT_ID_TOKEN";
/** The `aud` the deploy jobs ask for: a token minted for services-root is good for nothing else. */
export const SERVICES_ROOT_AUDIENCE = "holodeck-services-root";

export interface Jwks {
  keys: (JsonWebKey & { kid?: string })[];
}

/** The claims the gate reads (GitLab's names: docs.gitlab.com/ci/secrets/id_token_authentication). */
export interface GitLabClaims {
  iss: string;
  aud: string | string[];
  jti: string;
  iat: number;
  exp: number;
  project_path: string;
  ref: string;
  ref_protected: string;
  pipeline_id?: string;
  job_id?: string;
}

export interface TokenExpectation {
  issuer: string;
  audience: string;
  /** the GitLab project allowed to write this entry: <group>/<service> */
  projectPath: string;
  /** seconds since the epoch */
  now: number;
}

/**
 * A part's bytes, only when the part is their one canonical base64url spelling: Node's decoder
 * skips junk characters and unused bits, so "<token>*" would decode alike and pass for a new token.
 */
function b64url(part: string): Buffer {
  const bytes = Buffer.from(part, "base64url");
  if (bytes.toString("base64url") !== part) throw new Error("a part is not canonical base64url");
  return bytes;
}

/** Unsigned text quoted safely into a message (it may end up in a commit message). */
const quoted = (value: unknown): string => JSON.stringify(String(value).slice(0, 64));

/** How long after its expiry the gate still takes a token: it may run late (schedule, queue), never days. */
export const TOKEN_GRACE_SECONDS = 24 * 3600;

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(b64url(part).toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`the token's ${what} is not base64url JSON`);
}

/**
 * Checks signature, issuer, audience, expiry (with TOKEN_GRACE_SECONDS: the gate may run after a
 * token's few minutes are over) and the writer's project; returns the claims or throws naming
 * what failed. Replay is stopped by the gate's ledger of used token ids (jti).
 */
export function verifyIdToken(token: string, jwks: Jwks, expect: TokenExpectation): GitLabClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("not a JWT (header.payload.signature)");
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart, "header");
  if (header.alg !== "RS256") throw new Error(`signed with ${quoted(header.alg)}; GitLab signs RS256`);
  const candidates = jwks.keys.filter((k) => k.kty === "RSA" && (header.kid === undefined || k.kid === header.kid));
  if (candidates.length === 0) throw new Error(`no key ${quoted(header.kid)} in the instance's JWKS`);
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const valid = candidates.some((jwk) => verify("RSA-SHA256", signed, createPublicKey({ key: jwk, format: "jwk" }), b64url(signaturePart)));
  if (!valid) throw new Error("the signature does not verify against the instance's JWKS");
  const claims = decodeJson(payloadPart, "payload") as unknown as GitLabClaims;
  if (claims.iss !== expect.issuer) throw new Error(`issuer ${quoted(claims.iss)}, expected ${expect.issuer}`);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expect.audience)) throw new Error(`audience ${quoted(audiences.join(","))}, expected ${expect.audience}`);
  if (typeof claims.jti !== "string" || !/^[\w-]{1,64}$/.test(claims.jti)) throw new Error("no usable jti (token id)");
  if (typeof claims.exp !== "number" || claims.exp + TOKEN_GRACE_SECONDS < expect.now) {
    throw new Error(`expired more than ${TOKEN_GRACE_SECONDS / 3600} h ago (exp ${quoted(claims.exp)})`);
  }
  if (claims.project_path !== expect.projectPath) throw new Error(`written by project ${quoted(claims.project_path)}; only ${expect.projectPath} may write it`);
  if (claims.ref_protected !== "true") throw new Error(`written from ref ${quoted(claims.ref)}, which is not protected (only protected branches deploy)`);
  return claims;
}

/** The token in a commit message's trailer, if any (the last one wins, as git reads trailers). */
export function tokenOfMessage(message: string): string | undefined {
  const pattern = new RegExp(`^${ID_TOKEN_TRAILER}:\\s*(\\S+)\\s*$`, "gm");
  let found: string | undefined;
  for (const match of message.matchAll(pattern)) found = match[1];
  return found;
}

/** Appends the token as a trailer paragraph (a no-op without a token). */
export function withTokenTrailer(message: string, token: string | undefined): string {
  if (!token) return message;
  return `${message.trimEnd()}\n\n${ID_TOKEN_TRAILER}: ${token}\n`;
}
