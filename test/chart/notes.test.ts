// NOTES.txt is rendered only by `helm install`/`upgrade`, which need a cluster; this test
// renders it through `helm template` by wrapping it in a ConfigMap in a copy of the chart.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, helmTemplate } from "../harness/helm";
import { CHART_DIR, SERVICE, minimalSets } from "./render";

let notes: string;

beforeAll(() => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "holodeck-notes-"));
  fs.cpSync(CHART_DIR, copy, { recursive: true });
  const source = fs.readFileSync(path.join(CHART_DIR, "templates", "NOTES.txt"), "utf8");
  fs.writeFileSync(
    path.join(copy, "templates", "zz-notes-check.yaml"),
    [
      `{{- define "notes.check" }}${source}{{- end }}`,
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: notes-check}",
      'data: {notes: {{ include "notes.check" . | toJson }}}',
    ].join("\n"),
  );
  const objects = helmTemplate(
    copy,
    [],
    minimalSets({
      "ingress.rewrite": true,
      "postgres.enabled": true,
      "redis.enabled": true,
      secrets: { enabled: true, envVarsFromVault: { WEATHER_API_KEY: "WEATHER_API_KEY" }, refreshInterval: "1h" },
    }),
    { namespace: SERVICE },
  );
  notes = String((findObject(objects, "ConfigMap", "notes-check").data as Record<string, string>).notes);
  fs.rmSync(copy, { recursive: true, force: true });
});

describe("NOTES.txt", () => {
  it("tells the developer the URL, image, rollout order and backing services", () => {
    expect(notes).toContain("URL: https://services.staging.eu-west-1.holodeck.dev/python-example/ (the /python-example prefix is stripped");
    expect(notes).toContain("Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/python-example:1.4.2");
    expect(notes).toContain("database/Redis (-2) → Vault secrets (-1) → migration (0) → app (1) → monitors (2)");
    expect(notes).toContain("Secret python-example-vault (keys: WEATHER_API_KEY)");
    expect(notes).toContain("PostgresInstance python-example (20 GiB requested)");
    expect(notes).toContain("REDIS_URL=redis://:<password>@python-example-redis:6379/0 (password generated once into Secret python-example-redis-auth)");
  });

  it("points to Grafana, Jaeger and Argo CD in the browser, never to kubectl", () => {
    // The dashboard's uid: "hs-" and the first 12 hex digits of the service name's sha256.
    const uid = `hs-${createHash("sha256").update(SERVICE).digest("hex").slice(0, 12)}`;
    expect(notes).toContain(`Dashboard (metrics, logs panel, link to traces): https://grafana.staging.eu-west-1.holodeck.dev/d/${uid}\n`);
    expect(notes).toContain('Logs: Grafana, your team\'s organisation → Explore → Loki, query {namespace="python-example"} (json lines from stdout)');
    expect(notes).toContain("Traces: https://jaeger.staging.eu-west-1.holodeck.dev/search?service=python-example");
    expect(notes).toContain("https://argocd.staging.eu-west-1.holodeck.dev/applications/argocd/python-example");
    expect(notes).not.toMatch(/kubectl/);
  });
});
