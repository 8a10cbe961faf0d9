// metrics-server: serves the resource metrics API (metrics.k8s.io: pod and node cpu/memory)
// that every HorizontalPodAutoscaler of the service chart reads; without it HPAs never scale
// (docs/scaling.md). A critical add-on on the system nodes; in production two replicas on
// distinct nodes with a PodDisruptionBudget, so a node drain never leaves HPAs blind.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../versions";
import { chartRelease } from "../shared/k8s-helpers";
import { systemPlacement } from "../shared/placement";
import type { Environment } from "../../model";

export const METRICS_SERVER_NAMESPACE = "kube-system";
/** The resource metrics metrics-server serves: the only metrics an HPA of the platform may ask for. */
export const SERVED_RESOURCE_METRICS = ["cpu", "memory"] as const;

export interface MetricsServerArgs {
  environment: Environment;
}

export class MetricsServer extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:MetricsServer", name, {}, opts);
    const production = args.environment === "production";
    const selector = { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": "metrics-server" };
    this.release = chartRelease(
      name,
      CHARTS.metricsServer,
      {
        releaseName: "metrics-server",
        namespace: METRICS_SERVER_NAMESPACE,
        values: {
          replicas: production ? 2 : 1,
          podDisruptionBudget: production ? { enabled: true, minAvailable: 1 } : { enabled: false },
          ...systemPlacement(),
          affinity: production
            ? {
                podAntiAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } }],
                },
              }
            : {},
        },
      },
      { parent: this },
    );
    this.registerOutputs({ releaseStatus: this.release.status });
  }
}
