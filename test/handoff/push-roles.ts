// The team chart's `platform.pushRoles` as the registry of record's stack gives it (Registry.pushRoles,
// components/ci-push-role.ts), for the example registry account; shared by the push-role tests.
import { ECR_PUSH_ACTIONS, PUSH_ROLE_NAME_PREFIX, PUSH_ROLE_PATH, PUSH_SESSION_SECONDS, type ServicePushRoles } from "../../components/ci-push-role";

export const PUSH_ACCOUNT = "123456789012";
export const PUSH_REPOSITORIES = `arn:aws:ecr:eu-west-1:${PUSH_ACCOUNT}:repository/`;
export const PUSH_BOUNDARY = `arn:aws:iam::${PUSH_ACCOUNT}:policy/holodeck/holodeck-ecr-push-boundary`;

export const PUSH_ROLES: ServicePushRoles = {
  path: PUSH_ROLE_PATH,
  namePrefix: PUSH_ROLE_NAME_PREFIX,
  roleArnPrefix: `arn:aws:iam::${PUSH_ACCOUNT}:role/holodeck/push/`,
  repositoryArnPrefix: PUSH_REPOSITORIES,
  oidcProviderArn: `arn:aws:iam::${PUSH_ACCOUNT}:oidc-provider/gitlab.com`,
  oidcHost: "gitlab.com",
  audience: "sts.amazonaws.com",
  gitlabGroup: "holodeck/services",
  defaultBranch: "main",
  boundaryPolicyArn: PUSH_BOUNDARY,
  maxSessionSeconds: PUSH_SESSION_SECONDS,
  pushActions: [...ECR_PUSH_ACTIONS],
};
