// IrsaRole on its own: trust scoped to one service account, inline and managed policies.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { IrsaRole } from "../../components/irsa";
import { runStack, type StackRecording } from "../harness/stacks";
import { input, policyStatements } from "./helpers";

const PROVIDER_ARN = "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const PROVIDER_URL = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";

describe("IrsaRole", () => {
  let rec: StackRecording;
  beforeAll(async () => {
    rec = await runStack("staging-eu-west-1", {
      program: () => {
        const role = new IrsaRole("loki", {
          oidcProviderArn: PROVIDER_ARN,
          oidcProviderUrl: pulumi.output(PROVIDER_URL),
          namespace: "observability",
          serviceAccount: "loki",
          policyJson: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
          managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", pulumi.output("arn:aws:iam::210987654321:policy/custom")],
          tags: { Team: "observability" },
        });
        return { roleArn: role.roleArn };
      },
    });
  });

  it("trusts exactly one service account of one cluster, for the STS audience", () => {
    const role = rec.one("aws:iam/role:Role", "loki-role");
    expect(policyStatements(input(role, "assumeRolePolicy"))).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${PROVIDER_URL}:sub`]: "system:serviceaccount:observability:loki", [`${PROVIDER_URL}:aud`]: "sts.amazonaws.com" } },
      },
    ]);
    expect(input(role, "tags")).toEqual({ Team: "observability" });
    expect(rec.outputs.roleArn).toMatch(/^arn:aws:iam::210987654321:role\/loki-role-[0-9a-f]{7}$/);
  });

  it("attaches the inline policy and each managed policy as children of the component", () => {
    const component = rec.one("holodeck:irsa:IrsaRole", "loki");
    const inline = rec.one("aws:iam/rolePolicy:RolePolicy", "loki-policy");
    expect(policyStatements(input(inline, "policy"))).toEqual([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]);
    const attachments = rec.byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attachments.map((a) => [a.name, input(a, "policyArn")])).toEqual([
      ["loki-ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
      ["loki-1", "arn:aws:iam::210987654321:policy/custom"],
    ]);
    for (const child of [inline, ...attachments, rec.one("aws:iam/role:Role", "loki-role")]) expect(child.parent).toBe(component.urn);
  });
});
