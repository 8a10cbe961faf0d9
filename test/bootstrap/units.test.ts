// Pure pieces of the bootstrap: Secrets Manager value parsing (the manual-step secrets),
// the load balancer controller policy's cluster scoping, the Vault server config.
import { describe, expect, it } from "vitest";
import { parseSecretJson } from "../../bootstrap/shared/secrets-manager";
import { loadBalancerControllerStatements } from "../../bootstrap/load-balancer-controller/iam-policy";
import { raftConfig } from "../../bootstrap/vault/server-config";
import { CHARTS, IMAGES } from "../../bootstrap/versions";

describe("parseSecretJson (hand-made Secrets Manager values)", () => {
  it("returns exactly the requested keys", () => {
    expect(parseSecretJson("holodeck/git-read-token", '{"username":"argocd","password":"t0ken","note":"x"}', ["username", "password"])).toEqual({
      username: "argocd",
      password: "t0ken",
    });
  });

  it.each([
    ["not json", "token", "holodeck/git-read-token: value is not JSON; expected an object with keys username, password"],
    ["an array", '["a"]', "holodeck/git-read-token: expected a JSON object with keys username, password"],
    ["a missing key", '{"username":"argocd"}', "holodeck/git-read-token: missing or empty string key(s) password; expected keys username, password"],
    ["an empty key", '{"username":"","password":"t"}', "holodeck/git-read-token: missing or empty string key(s) username; expected keys username, password"],
  ])("names the secret and the keys when the value is %s", (_case, raw, message) => {
    expect(() => parseSecretJson("holodeck/git-read-token", raw, ["username", "password"])).toThrow(`Secrets Manager secret ${message}`);
  });
});

describe("load balancer controller policy", () => {
  const vpcArn = "arn:aws:ec2:eu-west-1:210987654321:vpc/vpc-0abc1234def567890";
  const policy = loadBalancerControllerStatements({ clusterName: "holodeck-staging-eu-west-1", vpcArn });

  it("lets the controller edit security group ingress only on groups in the cluster's VPC", () => {
    const edits = policy.filter((s) => [s.Action].flat().some((a) => /^ec2:(Authorize|Revoke)SecurityGroupIngress$/.test(a)));
    expect(edits.map((s) => s.Sid)).toEqual(["OpenNodeSecurityGroupPorts"]);
    expect(edits[0].Resource).toBe("arn:aws:ec2:*:*:security-group/*");
    expect(edits[0].Condition).toEqual({ ArnEquals: { "ec2:Vpc": vpcArn } });
  });

  it("requires this cluster's tag on every create and on every change to owned resources", () => {
    const byId = Object.fromEntries(policy.map((s): [string, (typeof policy)[number]] => [s.Sid ?? "", s]));
    expect(byId.CreateOwnedLoadBalancers.Condition).toEqual({ StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "holodeck-staging-eu-west-1" } });
    expect(byId.ManageOwnedLoadBalancers.Condition).toEqual({ StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "holodeck-staging-eu-west-1" } });
    expect(byId.TagOwnedLoadBalancers.Condition).toEqual({
      Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true" },
      StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "holodeck-staging-eu-west-1" },
    });
  });

  it("never allows deleting a load balancer or security group without the cluster tag", () => {
    for (const statement of policy) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      if (actions.some((a) => /Delete(LoadBalancer|TargetGroup|SecurityGroup)$/.test(a))) {
        expect([statement.Sid, JSON.stringify(statement.Condition)]).toEqual([statement.Sid, expect.stringContaining("holodeck-staging-eu-west-1")]);
      }
    }
  });
});

describe("Vault server configuration", () => {
  it("joins every replica over TLS with the internal CA and seals with the given key", () => {
    const hcl = raftConfig({ region: "eu-central-1", kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab", replicas: 3, releaseName: "vault" });
    expect(hcl.match(/retry_join \{/g)).toHaveLength(3);
    expect(hcl).toContain('leader_ca_cert_file = "/vault/userconfig/vault-tls/ca.crt"');
    expect(hcl).toContain('seal "awskms" {\n  region     = "eu-central-1"\n  kms_key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"\n}');
    expect(hcl).toContain('service_registration "kubernetes" {}');
  });
});

describe("versions", () => {
  it("runs the Jobs' Vault CLI at the version the chart deploys", () => {
    expect(IMAGES.vault).toBe(`hashicorp/vault:${CHARTS.vault.appVersion}`);
  });
});
