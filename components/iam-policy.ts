// Typed IAM policy documents, rendered to JSON once their Output parts resolve.
import * as pulumi from "@pulumi/pulumi";

type OneOrMany<T> = T | T[];

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, OneOrMany<pulumi.Input<string>>>;
  Action: OneOrMany<string>;
  Resource?: OneOrMany<pulumi.Input<string>>;
  Condition?: Record<string, Record<string, OneOrMany<pulumi.Input<string>>>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyJson(statements: PolicyStatement[]): pulumi.Output<string> {
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  return pulumi.jsonStringify(doc);
}

/** Trust policy letting an AWS service assume a role. */
export function serviceTrustPolicy(...services: string[]): pulumi.Output<string> {
  return policyJson([{ Effect: "Allow", Principal: { Service: services }, Action: "sts:AssumeRole" }]);
}
