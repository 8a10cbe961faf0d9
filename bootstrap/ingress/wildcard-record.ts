// `*.<domain>` -> the serving edge's NLB (docs/edge.md). One Pulumi resource whichever edge
// serves, so a switch updates the record in place (the new NLB exists first, the old one is
// deleted last) instead of deleting and re-creating the name.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface WildcardRecordArgs {
  domain: string;
  hostedZoneId: string;
  /** The serving edge's NLB. */
  loadBalancerHostname: pulumi.Input<string>;
  /** URN of the component that owned the record before (ingress-nginx's, of the same name). */
  formerParent: pulumi.Input<string>;
}

export class WildcardRecord extends pulumi.ComponentResource {
  public readonly record: aws.route53.Record;

  constructor(name: string, args: WildcardRecordArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:WildcardRecord", name, {}, opts);
    this.record = new aws.route53.Record(
      `${name}-wildcard-dns`,
      { zoneId: args.hostedZoneId, name: `*.${args.domain}`, type: "CNAME", ttl: 300, records: [args.loadBalancerHostname] },
      { parent: this, aliases: [{ name: `${name}-wildcard-dns`, parent: args.formerParent }] },
    );
    this.registerOutputs({});
  }
}
