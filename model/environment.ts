// Environments, Kubernetes versions and NAT modes: the words every layer shares
// (stacks/ validates them, components/ and bootstrap/ build from them, cli/ reads them).

export const ENVIRONMENTS = ["staging", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * EKS minor versions holodeck accepts, oldest first: those in EKS standard support on
 * 2026-12-03 (1.34 left it on 2026-12-02). Their dates: EKS_RELEASE_CALENDAR in
 * stacks/config-rules.ts; their add-on versions: EKS_ADDON_VERSIONS in components/cluster-addons.ts.
 */
export const KUBERNETES_VERSIONS = ["1.35", "1.36"] as const;
export type KubernetesVersion = (typeof KUBERNETES_VERSIONS)[number];

/** `single`: one NAT gateway for the VPC (staging); `perAz`: one per availability zone. */
export const NAT_MODES = ["single", "perAz"] as const;
export type NatMode = (typeof NAT_MODES)[number];

/** Tags every AWS resource of the stack carries (contracts §1 `tags`). */
export type Tags = Record<string, string>;

/** The 12-digit account of an IAM ARN, e.g. arn:aws:iam::123456789012:role/x -> 123456789012. */
export function accountOfArn(arn: string): string {
  return arn.split(":")[4] ?? "";
}
