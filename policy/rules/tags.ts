// Cost and ownership: every taggable AWS resource carries the project's required tags,
// either on the resource or through its provider's defaultTags.
import { resourceRule } from "./define";
import { asRecord, get, parseJsonDocument } from "./props";

/** The required tag keys (docs/contracts.md, section 1, `tags`). */
export const REQUIRED_TAGS = ["Project", "Environment", "Owner", "CostCenter"] as const;

/** AWS types holodeck creates that accept `tags` (checked against @pulumi/aws *Args). */
export const TAGGABLE_TYPES = [
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:ec2/flowLog:FlowLog",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:eks/addon:Addon",
  "aws:eks/accessEntry:AccessEntry",
  "aws:kms/key:Key",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:secretsmanager/secret:Secret",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:route53/zone:Zone",
  "aws:ecr/repository:Repository",
] as const;

export const requiredTags = resourceRule({
  name: "required-tags",
  summary: `Every taggable AWS resource carries the tags ${REQUIRED_TAGS.join(", ")} (its own tags or its provider's defaultTags.tags).`,
  source: { eksBestPractices: "Cost optimization › Cost-aware design: tag resources for cost allocation (Project, Environment, Owner, CostCenter)" },
  enforcementLevel: "mandatory",
  types: TAGGABLE_TYPES,
  check: (props, report, args) => {
    const own = asRecord(props["tags"]) ?? {};
    const inherited = asRecord(get(parseJsonDocument(args.provider?.props["defaultTags"]), "tags")) ?? {};
    const missing = REQUIRED_TAGS.filter((key) => own[key] === undefined && inherited[key] === undefined);
    if (missing.length > 0) report(`${args.type} '${args.name}' is missing tag(s) ${missing.join(", ")}.`);
  },
});

export const tagRules = [requiredTags];
