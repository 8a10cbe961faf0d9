// AWS on-demand list prices (USD) used by the cost estimate, per region. PRICE_DATE is when
// they were taken from the AWS pricing pages; re-check them before budgeting (docs/plan.md).
export const PRICE_DATE = "2025-06";
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** EC2 Linux on-demand, per instance-hour. */
  instanceHour: Record<string, number>;
  eksClusterHour: number;
  natGatewayHour: number;
  /** Public IPv4 address, per hour (charged since 2024-02). */
  publicIpv4Hour: number;
  /** Interface VPC endpoint, per endpoint per AZ per hour. */
  interfaceEndpointHour: number;
  gp3GibMonth: number;
  kmsKeyMonth: number;
  /** Network Load Balancer, per NLB-hour (AWS Elastic Load Balancing pricing page). */
  nlbHour: number;
  /** Per NLCU-hour (new/active connections, processed bytes: usage-based). */
  nlbLcuHour: number;
  /** Secrets Manager, per secret per month (API calls extra: $0.05 per 10,000). */
  secretMonth: number;
}

/**
 * Spot capacity is billed at the Spot price of the hour, which moves with supply and demand.
 * ASSUMPTION of the estimate: a Spot hour costs this share of the on-demand hour (a 65% saving).
 * AWS advertises savings of up to 90%; general-purpose types in EU regions usually save well
 * over half. Check before budgeting: `aws ec2 describe-spot-price-history --instance-types
 * <type> --product-descriptions Linux/UNIX --region <region>`.
 */
export const SPOT_PRICE_SHARE = 0.35;

export const PRICES: Record<string, RegionPrices> = {
  "eu-west-1": {
    instanceHour: {
      "t3a.large": 0.0816,
      "m6i.large": 0.107,
      "m7i.large": 0.1124,
      "m7i.xlarge": 0.2248,
      "m6i.2xlarge": 0.428,
      "m7i.2xlarge": 0.4496,
      "m6g.2xlarge": 0.344,
      "m7g.2xlarge": 0.3656,
    },
    eksClusterHour: 0.1,
    natGatewayHour: 0.048,
    publicIpv4Hour: 0.005,
    interfaceEndpointHour: 0.011,
    gp3GibMonth: 0.088,
    kmsKeyMonth: 1,
    nlbHour: 0.0252,
    nlbLcuHour: 0.006,
    secretMonth: 0.4,
  },
  "eu-central-1": {
    instanceHour: {
      "t3a.large": 0.0864,
      "m6i.large": 0.115,
      "m7i.large": 0.1208,
      "m7i.xlarge": 0.2416,
      "m6i.2xlarge": 0.46,
      "m7i.2xlarge": 0.4832,
      "m6g.2xlarge": 0.368,
      "m7g.2xlarge": 0.3912,
    },
    eksClusterHour: 0.1,
    natGatewayHour: 0.052,
    publicIpv4Hour: 0.005,
    interfaceEndpointHour: 0.012,
    gp3GibMonth: 0.0952,
    kmsKeyMonth: 1,
    nlbHour: 0.027,
    nlbLcuHour: 0.006,
    secretMonth: 0.4,
  },
};
