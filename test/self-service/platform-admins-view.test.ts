// Platform admins see every namespace as themselves (Kiali with OpenID and RBAC on uses the
// person's own token): the recorded ClusterRoleBinding gives their SSO groups `view`, nothing more.
import { describe, expect, it } from "vitest";
import { PLATFORM_ADMINS_VIEW_BINDING } from "../../bootstrap/people/platform-admins-view";
import { recordedStack } from "../harness/stacks";
import { STACKS } from "../bootstrap/helpers";

describe.each(STACKS)("%s: platform admins' cluster-wide view", (stack) => {
  it("binds the holodeck:platformAdminGroups group, as sso:<group>, to the built-in view ClusterRole only", () => {
    const bindings = recordedStack(stack)
      .byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
      .filter((b) => (b.inputs.metadata as { name?: string } | undefined)?.name === PLATFORM_ADMINS_VIEW_BINDING);
    expect(bindings).toHaveLength(1);
    expect(bindings[0].inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" });
    expect(bindings[0].inputs.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "sso:holodeck-platform-admins" }]);
  });
});
