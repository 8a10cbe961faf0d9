// Karpenter's interruption queue: EC2 and AWS Health events (spot interruption warnings,
// rebalance recommendations, scheduled maintenance, instance state changes) land in one SQS
// queue the controller reads, so it cordons and drains a node before EC2 takes it away
// (a spot warning gives two minutes). Queue, policy and rules as in Karpenter's
// getting-started CloudFormation.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../../components/iam-policy";
import type { Tags } from "../../model";

/** The EventBridge rules, by name suffix: source and detail-type of the events they forward. */
export const INTERRUPTION_EVENTS = {
  "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
  "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
  rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
  "instance-state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
} as const;

export interface InterruptionQueueArgs {
  /** The queue's name (the controller's settings.interruptionQueue). */
  queueName: string;
  tags: Tags;
}

export class InterruptionQueue extends pulumi.ComponentResource {
  readonly queueName: pulumi.Output<string>;
  readonly queueArn: pulumi.Output<string>;

  constructor(name: string, args: InterruptionQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:karpenter:InterruptionQueue", name, {}, opts);
    // Messages older than five minutes are useless: the interruption has happened by then.
    const queue = new aws.sqs.Queue(
      `${name}-queue`,
      { name: args.queueName, messageRetentionSeconds: 300, sqsManagedSseEnabled: true, tags: args.tags },
      { parent: this },
    );
    new aws.sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: queue.url,
        policy: policyJson([
          {
            Sid: "EC2InterruptionEvents",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
            Action: "sqs:SendMessage",
            Resource: queue.arn,
          },
          { Sid: "DenyHTTP", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ]),
      },
      { parent: this },
    );
    for (const [suffix, pattern] of Object.entries(INTERRUPTION_EVENTS)) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${suffix}`,
        { description: `Karpenter interruption events (${pattern["detail-type"][0]})`, eventPattern: JSON.stringify(pattern), tags: args.tags },
        { parent: this },
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${suffix}-target`,
        { rule: rule.name, targetId: "KarpenterInterruptionQueueTarget", arn: queue.arn },
        { parent: this },
      );
    }
    this.queueName = queue.name;
    this.queueArn = queue.arn;
    this.registerOutputs({ queueName: this.queueName, queueArn: this.queueArn });
  }
}
