// Pure helpers of the foundation: subnet plan, region short names, instance architecture.
import { describe, expect, it } from "vitest";
import { amiTypeFor } from "../../components/node-group";
import { createMocks } from "../../cli/plan/mocks";
import { planSubnets } from "../../components/network-layout";
import { isArmInstanceType, KUBERNETES_VERSIONS } from "../../model";
import { daysOfStandardSupportLeft, EKS_RELEASE_CALENDAR, kubernetesSupportWarning } from "../../stacks/config-rules";
import { shortRegion } from "../../stacks/config";

describe("planSubnets", () => {
  it("cuts a /20 into /23 private and /25 public subnets", () => {
    expect(planSubnets("10.50.16.0/20", 2)).toEqual({
      privateCidrs: ["10.50.16.0/23", "10.50.18.0/23"],
      publicCidrs: ["10.50.30.0/25", "10.50.30.128/25"],
    });
  });

  it("supports four AZs without overlap between tiers", () => {
    const plan = planSubnets("172.16.0.0/16", 4);
    expect(plan.privateCidrs).toEqual(["172.16.0.0/19", "172.16.32.0/19", "172.16.64.0/19", "172.16.96.0/19"]);
    expect(plan.publicCidrs).toEqual(["172.16.224.0/21", "172.16.232.0/21", "172.16.240.0/21", "172.16.248.0/21"]);
  });

  it("refuses AZ counts it cannot lay out", () => {
    expect(() => planSubnets("10.0.0.0/16", 5)).toThrow("azCount 5 is outside 2..4");
  });
});

describe("naming and architecture", () => {
  it.each([
    ["eu-west-1", "euw1"],
    ["eu-central-1", "euc1"],
    ["ap-southeast-2", "apse2"],
    ["us-gov-west-1", "usgw1"],
  ])("shortRegion(%s) = %s", (region, short) => expect(shortRegion(region)).toBe(short));

  it("tells Graviton from x86 instance types", () => {
    expect(["m7g.large", "c6gn.xlarge", "t4g.small", "r8gd.2xlarge"].map(isArmInstanceType)).toEqual([true, true, true, true]);
    expect(["m7i.large", "t3a.large", "m6in.xlarge", "g5.xlarge"].map(isArmInstanceType)).toEqual([false, false, false, false]);
    expect(amiTypeFor(["m7g.large"])).toBe("AL2023_ARM_64_STANDARD");
    expect(amiTypeFor(["m7i.large"])).toBe("AL2023_x86_64_STANDARD");
  });
});

describe("Kubernetes support window (EKS_RELEASE_CALENDAR, 90 days)", () => {
  const on = (day: string) => new Date(`${day}T12:00:00Z`);

  it("is quiet while a version has more than 90 days of standard support left (1.35 on 2026-12-03: 114 days)", () => {
    expect(daysOfStandardSupportLeft("1.35", on("2026-12-03"))).toBe(114);
    expect(kubernetesSupportWarning("1.35", on("2026-12-03"))).toBeUndefined();
    expect(kubernetesSupportWarning("1.36", on("2026-12-03"))).toBeUndefined();
  });

  it("warns from 90 days before the end, naming the date, the days left and the next version", () => {
    expect(kubernetesSupportWarning("1.35", on("2026-12-26"))).toBeUndefined();
    expect(kubernetesSupportWarning("1.35", on("2026-12-27"))).toBe(
      "holodeck:kubernetesVersion 1.35 leaves EKS standard support on 2027-03-27 (in 90 days); upgrade to 1.36: npm run plan -- --upgrade 1.36 (docs/runbooks/eks-upgrade.md)",
    );
  });

  it("says when the date has passed, and asks for the next EKS version when the newest one is ending", () => {
    expect(kubernetesSupportWarning("1.35", on("2027-03-29"))).toBe(
      "holodeck:kubernetesVersion 1.35 left EKS standard support on 2027-03-27 (2 days ago); upgrade to 1.36: npm run plan -- --upgrade 1.36 (docs/runbooks/eks-upgrade.md)",
    );
    expect(kubernetesSupportWarning("1.36", on("2027-06-01"))).toBe(
      "holodeck:kubernetesVersion 1.36 leaves EKS standard support on 2027-08-02 (in 62 days); add the next EKS version first (docs/runbooks/eks-upgrade.md)",
    );
  });

  it("gives every accepted version 14 months of standard support from its EKS release, with a source", () => {
    for (const version of KUBERNETES_VERSIONS) {
      const { release, endOfStandardSupport, source } = EKS_RELEASE_CALENDAR[version];
      const start = new Date(`${release}T00:00:00Z`);
      start.setUTCMonth(start.getUTCMonth() + 14);
      expect(start.toISOString().slice(0, 10), version).toBe(endOfStandardSupport);
      expect(source, version).toMatch(/checked \d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe("mocks", () => {
  const mocks = createMocks({ stack: "staging-eu-west-1", region: "eu-west-1", accountId: "210987654321", partition: "aws" });

  it("throw on invokes they do not know", () => {
    expect(() => mocks.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} })).toThrow(
      "unknown invoke aws:ec2/getAmi:getAmi: add it to invokeResults in cli/plan/mocks.ts",
    );
  });

  it("answer the known invokes for the stack's region and account", () => {
    expect(mocks.call({ token: "aws:index/getAvailabilityZones:getAvailabilityZones", inputs: {} })).toEqual({
      id: "eu-west-1",
      names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
    });
    expect(mocks.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} })).toMatchObject({ accountId: "210987654321" });
  });
});
