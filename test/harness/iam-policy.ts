// IAM policy documents as the stacks pass them to AWS (a JSON string), parsed for assertions.

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The Statement list of a policy document input; throws when the input is not a JSON string. */
export function policyStatements(policy: unknown): PolicyStatement[] {
  if (typeof policy !== "string") throw new Error(`policy is not a JSON string: ${JSON.stringify(policy)}`);
  return (JSON.parse(policy) as { Statement: PolicyStatement[] }).Statement;
}
