// Reads hand-made AWS Secrets Manager secrets (manual steps in docs/bootstrap.md) whose
// value is a JSON object, failing with one clear error naming the secret and the key.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export function parseSecretJson(secretId: string, raw: string, keys: readonly string[]): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`Secrets Manager secret ${secretId}: value is not JSON; expected an object with keys ${keys.join(", ")}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`Secrets Manager secret ${secretId}: expected a JSON object with keys ${keys.join(", ")}`);
  }
  const record = parsed as Record<string, unknown>;
  const missing = keys.filter((key) => typeof record[key] !== "string" || record[key] === "");
  if (missing.length > 0) {
    throw new Error(`Secrets Manager secret ${secretId}: missing or empty string key(s) ${missing.join(", ")}; expected keys ${keys.join(", ")}`);
  }
  return Object.fromEntries(keys.map((key) => [key, String(record[key])]));
}

/** The current value of a JSON secret, as a Pulumi secret Output. */
export function readJsonSecret(secretId: string, keys: readonly string[], opts: pulumi.InvokeOutputOptions): pulumi.Output<Record<string, string>> {
  const version = aws.secretsmanager.getSecretVersionOutput({ secretId }, opts);
  return pulumi.secret(version.secretString.apply((raw) => parseSecretJson(secretId, raw, keys)));
}
