// The answer sets the template tests generate: the defaults, and every combination of the
// Postgres/Redis/NATS options (with the other answers varied across them).
import type { TemplateAnswers } from "../harness/copier";

export interface Combo {
  label: string;
  answers: TemplateAnswers;
  postgres: boolean;
  redis: boolean;
  nats: boolean;
  vaultSecrets: string[];
}

const DOMAINS = ["services", "payments", "identity", "catalog", "data"];
const PYTHONS = ["3.11", "3.12", "3.13"];

/** All 8 combinations of postgres × redis × nats. */
export const COMBOS: Combo[] = [0, 1, 2, 3, 4, 5, 6, 7].map((bits) => {
  const postgres = (bits & 4) !== 0;
  const redis = (bits & 2) !== 0;
  const nats = (bits & 1) !== 0;
  const vaultSecrets = bits % 2 === 0 || bits === 7 ? ["WEATHER_API_KEY", "FASTSTREAM_CREDS"] : [];
  const label = `postgres=${postgres} redis=${redis} nats=${nats}`;
  return {
    label,
    postgres,
    redis,
    nats,
    vaultSecrets,
    answers: {
      service_name: `svc-${bits}`,
      domain: DOMAINS[bits % DOMAINS.length],
      python_version: PYTHONS[bits % PYTHONS.length],
      postgres,
      redis,
      nats,
      vault_secrets: vaultSecrets.join(","),
      owner_team: "team-weather",
    },
  };
});

/** The combination with every option on (the documented example's shape). */
export const FULL = COMBOS[7];

/** NATS and nothing else, no Vault secret: the platform alone provides its NATS credentials. */
export const NATS_ONLY = COMBOS[1];
