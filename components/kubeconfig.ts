// Kubeconfig for the cluster that authenticates with `aws eks get-token` (short-lived tokens
// of whoever runs pulumi: the CI role or an admin role; never a static credential).
import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigArgs {
  clusterName: pulumi.Input<string>;
  endpoint: pulumi.Input<string>;
  certificateAuthority: pulumi.Input<string>;
  region: string;
}

export function kubeconfigJson(args: KubeconfigArgs): pulumi.Output<string> {
  return pulumi.all([args.clusterName, args.endpoint, args.certificateAuthority]).apply(([clusterName, endpoint, ca]) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": ca } }],
      contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
      "current-context": clusterName,
      users: [
        {
          name: clusterName,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: ["eks", "get-token", "--cluster-name", clusterName, "--region", args.region, "--output", "json"],
              interactiveMode: "Never",
            },
          },
        },
      ],
    }),
  );
}
