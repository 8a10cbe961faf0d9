// Tenancy of the registry of record (issue 14, docs/tenancy.md): each service pipeline pushes only
// its own repository through its own role, every push role is capped by a boundary that never
// reaches a chart, and the Crossplane IAM provider that makes those roles cannot escalate.
// Policy documents are checked statement by statement.
import { describe, expect, it } from "vitest";
import { recordedStack } from "../harness/stacks";
import {
  CHART_REPOSITORY_PREFIX,
  ECR_PUSH_ACTIONS,
  gitlabProjectSubject,
  pushBoundaryStatements,
  pushRoleArn,
  pushRoleName,
  PUSH_BOUNDARY_NAME,
  PUSH_BOUNDARY_PATH,
  servicePushStatements,
  servicePushTrustStatement,
} from "../../components/ci-push-role";
import {
  BOUNDARY_POLICY_EDIT_ACTIONS,
  CROSSPLANE_IAM_PROVIDER_ACCOUNT,
  crossplaneIamStatements,
  PUSH_ROLE_BOUNDED_ACTIONS,
  PUSH_ROLE_CHANGE_ACTIONS,
  PUSH_ROLE_READ_ACTIONS,
} from "../../bootstrap/platform-identities/platform-identities";
import { irsaRole } from "../bootstrap/helpers";
import { PUSH_ACCOUNT, PUSH_BOUNDARY, PUSH_REPOSITORIES, PUSH_ROLES } from "../handoff/push-roles";
import { STACKS } from "../harness/stack-facts";
import { policyStatements } from "./helpers";

const SOURCE = "production-eu-west-1";
const ACCOUNT = PUSH_ACCOUNT;
const REPOSITORIES = PUSH_REPOSITORIES;
const BOUNDARY = PUSH_BOUNDARY;
const ROLES = PUSH_ROLES;

describe("a service's push role (rendered per service by the team chart)", () => {
  it("is named after the service under the push path", () => {
    expect(pushRoleName("payments-api")).toBe("ecr-push-payments-api");
    expect(pushRoleArn(ROLES, "payments-api")).toBe(`arn:aws:iam::${ACCOUNT}:role/holodeck/push/ecr-push-payments-api`);
  });

  it("is trusted only by its own project's default-branch pipelines, with GitLab's exact sub format and the audience", () => {
    expect(servicePushTrustStatement(ROLES, "payments-api")).toEqual({
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "gitlab.com:aud": "sts.amazonaws.com",
          "gitlab.com:sub": "project_path:holodeck/services/payments-api:ref_type:branch:ref:main",
        },
      },
    });
    // StringEquals, not StringLike: no wildcard reaches another project or branch.
    expect(gitlabProjectSubject("holodeck/services", "a", "main")).not.toContain("*");
  });

  it("may log in and push/pull its own repository only (no wildcard, no chart)", () => {
    expect(servicePushStatements(ROLES, "payments-api")).toEqual([
      { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      { Sid: "PushOwnRepository", Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: `${REPOSITORIES}payments-api` },
    ]);
  });

  it("push actions: what a push, create-on-push, the pipeline's describe-images check and a pull need, nothing else", () => {
    expect([...ECR_PUSH_ACTIONS]).toEqual([
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:CreateRepository",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]);
  });
});

describe("the push boundary (Pulumi, registry of record)", () => {
  it("allows at most ECR login and push/pull of service image repositories, and denies every chart repository", () => {
    expect(pushBoundaryStatements(REPOSITORIES)).toEqual([
      { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      { Sid: "PushServiceImages", Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: `${REPOSITORIES}*` },
      { Sid: "NoChartPush", Effect: "Deny", Action: [...ECR_PUSH_ACTIONS], Resource: `${REPOSITORIES}${CHART_REPOSITORY_PREFIX}/*` },
    ]);
  });

  it(`is the managed policy ${PUSH_BOUNDARY_PATH}${PUSH_BOUNDARY_NAME} of ${SOURCE}, with exactly those statements for its own region and account`, () => {
    const boundary = recordedStack(SOURCE).one("aws:iam/policy:Policy", "-ecr-push-boundary");
    expect([boundary.inputs.name, boundary.inputs.path]).toEqual([PUSH_BOUNDARY_NAME, PUSH_BOUNDARY_PATH]);
    expect(policyStatements(boundary.inputs.policy)).toEqual(pushBoundaryStatements(REPOSITORIES));
  });

  it("replaces the shared push role: the registry of record has no role any service pipeline of the group could assume", () => {
    const rec = recordedStack(SOURCE);
    const underPushComponent = rec.byType("aws:iam/role:Role").filter((role) => role.parent?.includes("$holodeck:ci-push-role:CiPushRole::"));
    expect(underPushComponent).toEqual([]);
    const groupWide = rec
      .byType("aws:iam/role:Role")
      .filter((role) => typeof role.inputs.assumeRolePolicy === "string" && role.inputs.assumeRolePolicy.includes("project_path:holodeck/services/*"));
    expect(groupWide.map((role) => role.name)).toEqual([]);
    expect(rec.outputs).not.toHaveProperty("ecrPushRoleArn");
  });
});

describe("the Crossplane IAM provider's own rights", () => {
  const statements = crossplaneIamStatements(ROLES);
  const bySid = (sid: string) => {
    const found = statements.find((s) => s.Sid === sid);
    if (!found) throw new Error(`no statement ${sid}`);
    return found;
  };

  it("has exactly these statements, in order", () => {
    expect(statements.map((s) => `${s.Effect} ${s.Sid}`)).toEqual([
      "Allow ReadPushRoles",
      "Allow WritePushRolesWithBoundary",
      "Allow ChangePushRoles",
      "Deny NoBoundaryRemoval",
      "Deny NoOtherBoundary",
      "Deny NoBoundaryPolicyEdit",
      "Deny NoPassRole",
    ]);
  });

  it("reads and changes roles under the push path only", () => {
    const pushRoles = `arn:aws:iam::${ACCOUNT}:role/holodeck/push/*`;
    expect(bySid("ReadPushRoles")).toEqual({ Sid: "ReadPushRoles", Effect: "Allow", Action: [...PUSH_ROLE_READ_ACTIONS], Resource: pushRoles });
    expect(bySid("ChangePushRoles")).toEqual({ Sid: "ChangePushRoles", Effect: "Allow", Action: [...PUSH_ROLE_CHANGE_ACTIONS], Resource: pushRoles });
    expect([...PUSH_ROLE_READ_ACTIONS]).toEqual([
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:ListRoleTags",
    ]);
    expect([...PUSH_ROLE_CHANGE_ACTIONS]).toEqual([
      "iam:DeleteRole",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]);
  });

  it("creates a role or writes its inline policy only under the push path and only with the push boundary", () => {
    expect([...PUSH_ROLE_BOUNDED_ACTIONS]).toEqual(["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"]);
    expect(bySid("WritePushRolesWithBoundary")).toEqual({
      Sid: "WritePushRolesWithBoundary",
      Effect: "Allow",
      Action: [...PUSH_ROLE_BOUNDED_ACTIONS],
      Resource: `arn:aws:iam::${ACCOUNT}:role/holodeck/push/*`,
      Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
    });
    // And the same calls with any other boundary, or none (key absent), are denied everywhere.
    expect(bySid("NoOtherBoundary")).toEqual({
      Sid: "NoOtherBoundary",
      Effect: "Deny",
      Action: [...PUSH_ROLE_BOUNDED_ACTIONS],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY } },
    });
  });

  it("can neither remove a boundary, nor edit the boundary policy, nor pass any role", () => {
    expect(bySid("NoBoundaryRemoval")).toEqual({ Sid: "NoBoundaryRemoval", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: "*" });
    expect(bySid("NoBoundaryPolicyEdit")).toEqual({
      Sid: "NoBoundaryPolicyEdit",
      Effect: "Deny",
      Action: [...BOUNDARY_POLICY_EDIT_ACTIONS],
      Resource: BOUNDARY,
    });
    expect([...BOUNDARY_POLICY_EDIT_ACTIONS]).toEqual([
      "iam:CreatePolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion",
      "iam:TagPolicy",
      "iam:UntagPolicy",
    ]);
    expect(bySid("NoPassRole")).toEqual({ Sid: "NoPassRole", Effect: "Deny", Action: ["iam:PassRole"], Resource: "*" });
  });

  it("grants nothing outside IAM roles under the push path (no wildcard action, no attach, no user or policy creation)", () => {
    const allowed = statements.filter((s) => s.Effect === "Allow");
    const actions = allowed.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
    expect(actions.filter((a) => /^iam:(Attach|Detach)|User|CreatePolicy|PassRole|^iam:(Add|Remove).*InstanceProfile/.test(a))).toEqual([]);
    expect(allowed.map((s) => s.Resource)).toEqual(allowed.map(() => `arn:aws:iam::${ACCOUNT}:role/holodeck/push/*`));
  });

  it(`runs as its own service account ${CROSSPLANE_IAM_PROVIDER_ACCOUNT.namespace}/${CROSSPLANE_IAM_PROVIDER_ACCOUNT.serviceAccount}, not the RDS provider's`, () => {
    expect(CROSSPLANE_IAM_PROVIDER_ACCOUNT).toEqual({ namespace: "crossplane-system", serviceAccount: "provider-aws-iam" });
  });
});

describe("the Crossplane IAM provider's role in the stacks (stacks/program.ts passes Registry.pushRoles to the bootstrap)", () => {
  it(`${SOURCE} (registry of record) gives it an IRSA role with exactly crossplaneIamStatements for its real boundary`, () => {
    const rec = recordedStack(SOURCE);
    const { policy } = irsaRole(rec, CROSSPLANE_IAM_PROVIDER_ACCOUNT.namespace, CROSSPLANE_IAM_PROVIDER_ACCOUNT.serviceAccount);
    // The boundary's ARN is the created policy's output (the mock provider spells it without the path).
    const boundaryArn = String(policy.find((s) => s.Sid === "WritePushRolesWithBoundary")?.Condition?.StringEquals["iam:PermissionsBoundary"]);
    expect(boundaryArn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:policy/(holodeck/)?${PUSH_BOUNDARY_NAME}$`));
    expect(policy).toEqual(crossplaneIamStatements({ roleArnPrefix: ROLES.roleArnPrefix, boundaryPolicyArn: boundaryArn }));
  });

  it.each(STACKS.filter((s) => s !== SOURCE))("%s (a replica) has no IAM provider role and no boundary", (stack) => {
    const rec = recordedStack(stack);
    expect(() => irsaRole(rec, CROSSPLANE_IAM_PROVIDER_ACCOUNT.namespace, CROSSPLANE_IAM_PROVIDER_ACCOUNT.serviceAccount)).toThrow(/found 0/);
    expect(rec.byType("aws:iam/policy:Policy").filter((p) => p.name.endsWith("-ecr-push-boundary"))).toEqual([]);
  });
});
