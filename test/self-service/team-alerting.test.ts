// Alerts reach the team: the team chart's alerting.yaml, rendered by Helm from a team file,
// routes each service namespace's alerts to the team's Slack receiver (webhook URL from the
// team's own Vault secret), and kube-prometheus-stack's Alertmanager loads exactly these.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ALERTS_SECRET_PREFIX } from "../../bootstrap/vault/human-access-policy";
import { REPO_ROOT } from "../harness/stacks";

const HELM = path.join(REPO_ROOT, ".tools/bin/helm");
const CHART = path.join(REPO_ROOT, "platform-apps/charts/team");
type Doc = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
};

const dir = mkdtempSync(path.join(tmpdir(), "team-alerting-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The chart's objects; only alerting.yaml's unless `wholeChart` (Helm refuses --show-only of a template that renders nothing). */
function render(team: Record<string, unknown>, wholeChart = false): Doc[] {
  const values = path.join(dir, `${String(team.team)}.json`);
  writeFileSync(values, JSON.stringify(team));
  const out = execFileSync(
    HELM,
    [
      "template",
      "team",
      CHART,
      "-f",
      values,
      "--set",
      "platform.serviceRepoUrlPrefix=https://gitlab.com/holodeck/services",
      "--set",
      "platform.serviceChartRepository=oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
      ...(wholeChart ? [] : ["--show-only", "templates/alerting.yaml"]),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return parseAllDocuments(out)
    .map((d) => d.toJSON() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

const EXAMPLE = JSON.parse(readFileSync(path.join(REPO_ROOT, "services-root/example/teams/checkout.json"), "utf8")) as Record<string, unknown>;
const TWO_SERVICES = { ...EXAMPLE, services: [...(EXAMPLE.services as object[]), { name: "orders", domain: "services" }] };

describe("team alerting (platform-apps/charts/team/templates/alerting.yaml)", () => {
  it("renders one AlertmanagerConfig per service namespace, in monitoring, matching that namespace only", () => {
    const configs = render(TWO_SERVICES).filter((d) => d.kind === "AlertmanagerConfig");
    expect(configs.map((c) => [c.metadata.namespace, c.metadata.name])).toEqual([
      ["monitoring", "team-checkout-python-example"],
      ["monitoring", "team-checkout-orders"],
    ]);
    for (const [config, service] of [
      [configs[0], "python-example"],
      [configs[1], "orders"],
    ] as const) {
      expect(config.metadata.labels["holodeck.dev/alerting"]).toBe("team");
      expect(config.spec.route).toEqual({
        receiver: "team-checkout",
        groupBy: ["alertname", "namespace"],
        matchers: [{ name: "namespace", value: service, matchType: "=" }],
        continue: false,
      });
      const receivers = config.spec.receivers as { name: string; slackConfigs: { channel: string; apiURL: unknown; sendResolved: boolean }[] }[];
      expect(receivers.map((r) => r.name)).toEqual(["team-checkout"]);
      expect(receivers[0].slackConfigs[0].channel).toBe("#checkout-alerts");
      expect(receivers[0].slackConfigs[0].apiURL).toEqual({ name: "team-checkout-alerts", key: "slack-webhook-url" });
      expect(receivers[0].slackConfigs[0].sendResolved).toBe(true);
    }
  });

  it("takes the webhook URL from the team's own Vault secret, which the team sync lets the team write", () => {
    const secret = render(EXAMPLE).find((d) => d.kind === "ExternalSecret");
    expect(secret?.metadata).toMatchObject({ name: "team-checkout-alerts", namespace: "monitoring" });
    expect(secret?.spec).toEqual({
      refreshInterval: "15m",
      secretStoreRef: { kind: "ClusterSecretStore", name: "vault" },
      target: { name: "team-checkout-alerts", creationPolicy: "Owner" },
      data: [{ secretKey: "slack-webhook-url", remoteRef: { key: `${ALERTS_SECRET_PREFIX}/checkout`, property: "slack-webhook-url" } }],
    });
    // External Secrets' identity in monitoring reads secret/data/+/monitoring/* only (bootstrap/vault/config.ts).
    expect(ALERTS_SECRET_PREFIX.split("/")[1]).toBe("monitoring");
  });

  it("renders nothing for a team without alerts (the platform's default route keeps them)", () => {
    const withoutAlerts = Object.fromEntries(Object.entries(EXAMPLE).filter(([key]) => key !== "alerts"));
    const kinds = render(withoutAlerts, true).map((d) => d.kind);
    expect(kinds).toContain("AppProject");
    expect(kinds).not.toContain("AlertmanagerConfig");
    expect(kinds).not.toContain("ExternalSecret");
  });

  it("kube-prometheus-stack's Alertmanager loads exactly the team AlertmanagerConfigs of monitoring, without adding a namespace matcher", () => {
    const values = parse(readFileSync(path.join(REPO_ROOT, "platform-apps/values/kube-prometheus-stack/common.yaml"), "utf8")) as {
      alertmanager: { alertmanagerSpec: Record<string, unknown> };
    };
    const spec = values.alertmanager.alertmanagerSpec;
    expect(spec.alertmanagerConfigSelector).toEqual({ matchLabels: { "holodeck.dev/alerting": "team" } });
    expect(spec.alertmanagerConfigNamespaceSelector).toEqual({ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } });
    expect(spec.alertmanagerConfigMatcherStrategy).toEqual({ type: "None" });
  });
});
