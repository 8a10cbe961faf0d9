// Who can reach the cluster and AWS: EKS access entries and every IRSA trust policy, per stack.
import { beforeAll, describe, expect, it } from "vitest";
import type { StackRecording } from "../harness/stacks";
import { FACTS, STACKS } from "../harness/stack-facts";
import { input, policyStatements, recordAllStacks } from "./helpers";

let stacks: Record<string, StackRecording>;
beforeAll(() => {
  stacks = recordAllStacks();
});

describe.each(STACKS)("%s access", (stack) => {
  const want = FACTS[stack];
  const rec = (): StackRecording => stacks[stack];

  it("creates one access entry per admin role, the CI role, the preview role and the drift role, and the Karpenter node role's EC2_LINUX entry, nothing else", () => {
    const entries = rec().byType("aws:eks/accessEntry:AccessEntry");
    const nodeRole = rec().one("aws:iam/role:Role", "-karpenter-node-role");
    expect(entries.map((e) => [input(e, "type"), input(e, "principalArn")])).toEqual([
      ...[...want.adminRoleArns, want.ciRoleArn, ...(want.previewRoleArn ? [want.previewRoleArn] : []), ...(want.driftRoleArn ? [want.driftRoleArn] : [])].map(
        (arn) => ["STANDARD", arn],
      ),
      ["EC2_LINUX", expect.stringMatching(new RegExp(`^arn:aws:iam::${want.accountId}:role/${nodeRole.name}-[0-9a-f]+$`))],
    ]);
    expect(entries.at(-1)?.propertyDependencies.principalArn).toEqual([nodeRole.urn]);
  });

  it("associates cluster-admin to the admins and the CI role, view (no Secrets) to the preview role, admin-view (reads Secrets, writes nothing) to the drift role, cluster-wide", () => {
    const assoc = rec().byType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    const policies = Object.fromEntries(assoc.map((a) => [String(input(a, "principalArn")), input(a, "policyArn")]));
    const admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    expect(policies).toEqual({
      ...Object.fromEntries([...want.adminRoleArns, want.ciRoleArn].map((arn) => [arn, admin])),
      ...(want.previewRoleArn ? { [want.previewRoleArn]: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy" } : {}),
      ...(want.driftRoleArn ? { [want.driftRoleArn]: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy" } : {}),
    });
    expect(assoc).toHaveLength(want.adminRoleArns.length + 1 + (want.previewRoleArn ? 1 : 0) + (want.driftRoleArn ? 1 : 0));
    for (const a of assoc) {
      expect(input(a, "accessScope")).toEqual({ type: "cluster" });
      expect(input(a, "clusterName")).toBe(want.clusterName);
    }
  });

  it("registers the cluster's OIDC issuer for IRSA with the STS audience", () => {
    const oidc = rec().one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "-oidc");
    expect(input(oidc, "clientIdLists")).toEqual(["sts.amazonaws.com"]);
    expect(input(oidc, "url")).toBe(`https://${String(rec().outputs.oidcProviderUrl)}`);
    expect(rec().outputs.oidcProviderUrl).toMatch(new RegExp(`^oidc\\.eks\\.${want.region}\\.amazonaws\\.com/id/[0-9A-F]{32}$`));
  });

  it("scopes every web-identity trust policy to one service account and the STS audience", () => {
    const url = String(rec().outputs.oidcProviderUrl);
    const federated = rec()
      .byType("aws:iam/role:Role")
      // The GitLab push role trusts GitLab's issuer, not the cluster's: test/foundation/registry.test.ts.
      .filter((role) => !role.parent?.includes("$holodeck:ci-push-role:CiPushRole::"))
      .map((role) => ({ role, statements: policyStatements(input(role, "assumeRolePolicy")) }))
      .filter(({ statements }) => statements.some((s) => s.Principal?.Federated !== undefined));
    const subjects = federated.map(({ role, statements }) => {
      expect(statements.length, role.name).toBe(1);
      const [s] = statements;
      expect(s.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(s.Principal).toEqual({ Federated: rec().outputs.oidcProviderArn });
      expect(Object.keys(s.Condition ?? {}), role.name).toEqual(["StringEquals"]);
      const eq = s.Condition!.StringEquals;
      expect(Object.keys(eq).sort()).toEqual([`${url}:aud`, `${url}:sub`]);
      expect(eq[`${url}:aud`]).toBe("sts.amazonaws.com");
      expect(eq[`${url}:sub`]).toMatch(/^system:serviceaccount:[a-z0-9-]+:[a-z0-9-]+$/);
      return eq[`${url}:sub`];
    });
    expect(subjects).toEqual(expect.arrayContaining(["system:serviceaccount:kube-system:aws-node", "system:serviceaccount:kube-system:ebs-csi-controller-sa"]));
  });

  it("lets only AWS services assume the other roles", () => {
    const services = rec()
      .byType("aws:iam/role:Role")
      .flatMap((role) => policyStatements(input(role, "assumeRolePolicy")))
      .filter((s) => s.Principal?.Federated === undefined)
      .map((s) => s.Principal);
    expect(services).toEqual(
      expect.arrayContaining([{ Service: ["eks.amazonaws.com"] }, { Service: ["ec2.amazonaws.com"] }, { Service: "vpc-flow-logs.amazonaws.com" }]),
    );
    for (const p of services) expect(Object.keys(p ?? {})).toEqual(["Service"]);
  });
});
