// Tenancy of the registry of record (issue 14, docs/tenancy.md): the GitLab push role of service
// pipelines may push images but never a chart — an explicit Deny on charts/* wins over its Allow.
import { describe, expect, it } from "vitest";
import { recordedStack } from "../harness/stacks";
import { CHART_REPOSITORY_PREFIX, ECR_PUSH_ACTIONS } from "../../components/ci-push-role";
import { policyStatements } from "./helpers";

const SOURCE = "production-eu-west-1";

describe(`${SOURCE} ECR push role (service pipelines)`, () => {
  const statements = () => {
    return policyStatements(recordedStack(SOURCE).one("aws:iam/rolePolicy:RolePolicy", "-ecr-push-push").inputs.policy);
  };

  it("denies every push action on the chart repositories (charts/holodeck-service and any other chart)", () => {
    const deny = statements().find((s) => s.Sid === "NoChartPush");
    expect(deny?.Effect).toBe("Deny");
    expect(deny?.Action).toEqual([...ECR_PUSH_ACTIONS]);
    expect(deny?.Resource).toMatch(new RegExp(`^arn:aws:ecr:eu-west-1:\\d{12}:repository/${CHART_REPOSITORY_PREFIX}/\\*$`));
  });

  it("the Deny covers everything the Allow grants on a repository (nothing left to push a chart with)", () => {
    const allow = statements().find((s) => s.Sid === "PushToThisRegistry");
    const deny = statements().find((s) => s.Sid === "NoChartPush");
    expect(allow?.Action).toEqual(deny?.Action);
    expect(String(deny?.Resource).replace(`/${CHART_REPOSITORY_PREFIX}/*`, "/*")).toBe(allow?.Resource);
  });
});
