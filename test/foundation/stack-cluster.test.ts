// Security-relevant inputs of the EKS cluster, node groups, add-ons and KMS keys, per stack.
import { beforeAll, describe, expect, it } from "vitest";
import type { StackRecording } from "../harness/stacks";
import { FACTS, STACKS } from "../harness/stack-facts";
import { input, policyStatements, recordAllStacks } from "./helpers";

let stacks: Record<string, StackRecording>;
beforeAll(() => {
  stacks = recordAllStacks();
});

describe.each(STACKS)("%s cluster", (stack) => {
  const want = FACTS[stack];
  const rec = (): StackRecording => stacks[stack];
  const cluster = () => rec().one("aws:eks/cluster:Cluster", "-eks");

  it("pins the version, API authentication and no creator admin", () => {
    expect(input(cluster(), "name")).toBe(want.clusterName);
    expect(input(cluster(), "version")).toBe("1.36");
    expect(input(cluster(), "accessConfig")).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    expect(input(cluster(), "bootstrapSelfManagedAddons")).toBe(false);
    expect(input(cluster(), "upgradePolicy")).toEqual({ supportType: "STANDARD" });
  });

  it("encrypts secrets with its own rotating, protected KMS key", () => {
    const key = rec().one("aws:kms/key:Key", "-secrets-key");
    const enc = input<{ provider: { keyArn: string }; resources: string[] }>(cluster(), "encryptionConfig");
    expect(enc.resources).toEqual(["secrets"]);
    expect(enc.provider.keyArn).toMatch(new RegExp(`^arn:aws:kms:${want.region}:${want.accountId}:key/`));
    expect(cluster().propertyDependencies.encryptionConfig).toContain(key.urn);
    expect(key.protect).toBe(true);
    const use = rec().one("aws:iam/rolePolicy:RolePolicy", "-cluster-secrets-key");
    expect(policyStatements(input(use, "policy"))).toEqual([
      { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: enc.provider.keyArn },
    ]);
    expect(use.propertyDependencies.role).toEqual([rec().one("aws:iam/role:Role", "-cluster-role").urn]);
    expect(cluster().dependsOn).toContain(use.urn);
  });

  it("enables all five control-plane log types into a KMS-encrypted, retained log group", () => {
    expect(input(cluster(), "enabledClusterLogTypes")).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const group = rec().one("aws:cloudwatch/logGroup:LogGroup", "-control-plane-logs");
    expect(input(group, "name")).toBe(`/aws/eks/${want.clusterName}/cluster`);
    expect(input(group, "retentionInDays")).toBe(want.logRetentionDays);
    expect(input(group, "kmsKeyId")).toMatch(new RegExp(`^arn:aws:kms:${want.region}:${want.accountId}:key/`));
    expect(group.propertyDependencies.kmsKeyId).toContain(rec().one("aws:kms/key:Key", "-logs-key").urn);
    expect(group.retainOnDelete).toBe(true);
    expect(cluster().dependsOn).toContain(group.urn);
  });

  it("restricts the API endpoint to the stack's allowlist and the private subnets", () => {
    const vpc = input<Record<string, unknown>>(cluster(), "vpcConfig");
    expect(vpc.endpointPrivateAccess).toBe(true);
    expect(vpc.endpointPublicAccess).toBe(true);
    expect(vpc.publicAccessCidrs).toEqual(want.publicAccessCidrs);
    const privateSubnets = rec()
      .byType("aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("-private-"));
    expect(cluster().propertyDependencies["vpcConfig"]).toEqual(expect.arrayContaining(privateSubnets.map((s) => s.urn)));
    expect((vpc.subnetIds as string[]).length).toBe(3);
  });

  it("has deletion protection and Pulumi protect exactly in production", () => {
    expect(input(cluster(), "deletionProtection")).toBe(want.production);
    expect(cluster().protect).toBe(want.production);
  });

  it("protects every KMS key of the stack (later layers' too) and rotates it yearly", () => {
    const keys = rec().byType("aws:kms/key:Key");
    expect(keys.map((k) => k.name)).toEqual(expect.arrayContaining([`${want.namePrefix}-logs-key`, `${want.namePrefix}-secrets-key`]));
    for (const key of keys) {
      expect(key.protect).toBe(true);
      expect(input(key, "enableKeyRotation")).toBe(true);
      expect(input(key, "rotationPeriodInDays")).toBe(365);
      expect(input(key, "deletionWindowInDays")).toBe(30);
      const accountAdmin = policyStatements(input(key, "policy"))[0];
      expect(accountAdmin.Principal).toEqual({ AWS: `arn:aws:iam::${want.accountId}:root` });
    }
  });

  it("launches exactly one AL2023 managed node group, the tainted system group, in the private subnets (workloads run on Karpenter's pool)", () => {
    const groups = rec().byType("aws:eks/nodeGroup:NodeGroup");
    expect(groups.map((g) => g.name)).toEqual([`${want.namePrefix}-system-ng`]);
    const system = rec().one("aws:eks/nodeGroup:NodeGroup", "-system-ng");
    expect(input(system, "amiType")).toBe("AL2023_x86_64_STANDARD");
    expect(input(system, "instanceTypes")).toEqual(want.system.instanceTypes);
    expect(input(system, "scalingConfig")).toEqual({ minSize: want.system.minSize, desiredSize: want.system.desiredSize, maxSize: want.system.maxSize });
    expect(input(system, "taints")).toEqual([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
    expect(input(system, "subnetIds")).toEqual(rec().outputs.privateSubnetIds);
    // Sized by the stack config alone (no autoscaler changes a managed node group any more).
    expect(system.ignoreChanges).toEqual([]);
    expect(input(system, "version")).toBe("1.36");
  });

  it("requires IMDSv2 with hop limit 1 and encrypted gp3 root volumes", () => {
    for (const [role, disk] of [["system", want.system.diskSizeGiB]] as const) {
      const lt = rec().one("aws:ec2/launchTemplate:LaunchTemplate", `-${role}-lt`);
      expect(input(lt, "metadataOptions")).toEqual({
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      });
      expect(input(lt, "blockDeviceMappings")).toEqual([
        { deviceName: "/dev/xvda", ebs: { volumeSize: disk, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
      ]);
      const group = rec().one("aws:eks/nodeGroup:NodeGroup", `-${role}-ng`);
      expect(group.propertyDependencies.launchTemplate).toContain(lt.urn);
    }
  });

  it("installs the four managed add-ons in dependency order", () => {
    const addons = rec().byType("aws:eks/addon:Addon");
    expect(addons.map((a) => input<string>(a, "addonName")).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
    const addon = (n: string) => addons.find((a) => a.inputs.addonName === n)!;
    const groups = rec().byType("aws:eks/nodeGroup:NodeGroup");
    for (const g of groups) expect(g.dependsOn).toEqual(expect.arrayContaining([addon("vpc-cni").urn, addon("kube-proxy").urn]));
    for (const n of ["coredns", "aws-ebs-csi-driver"]) expect(addon(n).dependsOn).toEqual(expect.arrayContaining(groups.map((g) => g.urn)));
    expect(input(addon("vpc-cni"), "serviceAccountRoleArn")).toMatch(/^arn:aws:iam::\d{12}:role\/.+-vpc-cni-role-/);
    expect(input(addon("aws-ebs-csi-driver"), "serviceAccountRoleArn")).toMatch(/^arn:aws:iam::\d{12}:role\/.+-ebs-csi-role-/);
    expect(addon("coredns").inputs.serviceAccountRoleArn).toBeUndefined();
    // The VPC CNI enforces NetworkPolicy; the other add-ons run on their defaults.
    expect(input(addon("vpc-cni"), "configurationValues")).toBe('{"enableNetworkPolicy":"true"}');
    for (const n of ["kube-proxy", "coredns", "aws-ebs-csi-driver"]) expect(addon(n).inputs.configurationValues, n).toBeUndefined();
    const attachment = (suffix: string) => rec().one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", suffix).urn;
    expect(addon("vpc-cni").dependsOn).toContain(attachment("-vpc-cni-AmazonEKS_CNI_Policy"));
    expect(addon("aws-ebs-csi-driver").dependsOn).toContain(attachment("-ebs-csi-AmazonEBSCSIDriverPolicy"));
  });

  it("gives the nodes only the node policies (CNI rights go to the vpc-cni IRSA role)", () => {
    const attachments = rec()
      .byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith(`${want.namePrefix}-node-`))
      .map((a) => input<string>(a, "policyArn"));
    const groups = rec().byType("aws:eks/nodeGroup:NodeGroup");
    const nodeAttachments = rec()
      .byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith(`${want.namePrefix}-node-`));
    for (const g of groups) expect(g.dependsOn).toEqual(expect.arrayContaining(nodeAttachments.map((a) => a.urn)));
    expect(cluster().dependsOn).toContain(rec().one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-cluster-AmazonEKSClusterPolicy").urn);
    expect(attachments.sort()).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
  });

  it("exposes a k8s provider that waits for access entries and a schedulable cluster", () => {
    const provider = rec().one("pulumi:providers:kubernetes", "-k8s");
    const assoc = rec().byType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    expect(provider.dependsOn).toEqual(expect.arrayContaining(assoc.map((a) => a.urn)));
    const kubeconfig = JSON.parse(input<string>(provider, "kubeconfig")) as { users: { user: { exec: { command: string; args: string[] } } }[] };
    expect(kubeconfig.users[0].user.exec.command).toBe("aws");
    expect(kubeconfig.users[0].user.exec.args).toEqual(["eks", "get-token", "--cluster-name", want.clusterName, "--region", want.region, "--output", "json"]);
    expect(provider.secretInputs).toEqual(["kubeconfig"]);
    expect(rec().secretOutputs).toEqual(["kubeconfig"]);
  });
});
