// Per-resource creation times that depend on recorded inputs: cert-manager Certificates (ACME
// DNS-01 on the critical path vs. in-cluster CA) and Helm releases that do not wait.
import { beforeAll, describe, expect, it } from "vitest";
import { CA_CERTIFICATE_SECONDS, durationModel, NO_WAIT_RELEASE_SECONDS } from "../../cli/plan/durations";
import { fakeResource, recordedStack, type RecordedResource, type StackRecording } from "../harness/stacks";

const resource = (name: string, type: string, inputs: Record<string, unknown>): RecordedResource => fakeResource(type, name, { inputs });
const issuer = (name: string, spec: Record<string, unknown>) => resource(name, "kubernetes:cert-manager.io/v1:ClusterIssuer", { metadata: { name }, spec });
const certificate = (name: string, issuerName: string) =>
  resource(name, "kubernetes:cert-manager.io/v1:Certificate", { spec: { issuerRef: { name: issuerName, kind: "ClusterIssuer" } } });
const release = (name: string, skipAwait: boolean) => resource(name, "kubernetes:helm.sh/v3:Release", { skipAwait });

describe("duration model (synthetic resources)", () => {
  const resources = [
    issuer("letsencrypt-prod", { acme: { server: "https://acme-v02.api.letsencrypt.org/directory" } }),
    issuer("internal-ca", { ca: { secretName: "internal-ca" } }),
    certificate("wildcard", "letsencrypt-prod"),
    certificate("vault-tls", "internal-ca"),
    certificate("unknown-issuer", "elsewhere"),
    release("waits", false),
    release("no-wait", true),
  ];
  const seconds = durationModel(resources);
  const of = (name: string) => seconds(resources.find((r) => r.name === name)!);

  it("gives an ACME (Let's Encrypt DNS-01) certificate 120 s, a CA-issued one 5 s, an unknown issuer the ACME time", () => {
    expect([of("wildcard"), of("vault-tls"), of("unknown-issuer")]).toEqual([120, 5, 120]);
    expect(CA_CERTIFICATE_SECONDS).toBe(5);
  });

  it("gives a Helm release with skipAwait 20 s, a waiting one 120 s", () => {
    expect([of("waits"), of("no-wait")]).toEqual([120, 20]);
    expect(NO_WAIT_RELEASE_SECONDS).toBe(20);
  });
});

describe("duration model of the recorded production-eu-west-1 stack", () => {
  let rec: StackRecording;
  let seconds: (r: RecordedResource) => number;
  beforeAll(() => {
    rec = recordedStack("production-eu-west-1");
    seconds = durationModel(rec.resources);
  });

  it("models the wildcard certificate from the Let's Encrypt issuer as ACME (120 s)", () => {
    const wildcard = rec.resources.find((r) => r.type === "kubernetes:cert-manager.io/v1:Certificate" && r.name.endsWith("-wildcard-cert"));
    expect((wildcard?.inputs.spec as { issuerRef: { name: string } }).issuerRef.name).toBe("letsencrypt-prod");
    expect(seconds(wildcard!)).toBe(120);
  });

  it("models exactly the releases recorded with skipAwait as not waiting", () => {
    const releases = rec.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const noWait = releases.filter((r) => r.inputs.skipAwait === true);
    expect(noWait.length).toBeGreaterThan(0);
    for (const r of releases) expect(seconds(r), r.name).toBe(r.inputs.skipAwait === true ? 20 : 120);
  });
});
