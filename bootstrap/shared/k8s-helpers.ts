// Small factories every add-on uses, so each release and namespace is made the same way.
import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ChartPin } from "../versions";

/**
 * Pulumi waits for this condition before dependents run (pulumi-kubernetes ≥ 4.18); without
 * it a custom resource counts as created as soon as the API server accepted it.
 */
export const WAIT_FOR_READY = { "pulumi.com/waitFor": "condition=Ready" } as const;

/** Helm values as plain data (Inputs allowed at any depth). */
export type HelmValues = pulumi.Inputs;

/** A namespace owned by one add-on; its Release and objects depend on it through its name. */
export function addonNamespace(
  name: string,
  namespace: string,
  opts: pulumi.CustomResourceOptions,
  labels: Record<string, string> = {},
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    `${name}-ns`,
    { metadata: { name: namespace, labels: { "app.kubernetes.io/part-of": "holodeck-bootstrap", ...labels } } },
    opts,
  );
}

export interface ReleaseOptions {
  /** Release name (also the chart's fullname prefix, so object names stay predictable). */
  releaseName: string;
  /** Pass `namespace.metadata.name` of an addonNamespace so the release depends on it. */
  namespace: pulumi.Input<string>;
  values: pulumi.Input<HelmValues>;
  /**
   * Wait for every object to be ready (default). Vault sets false: its pods are not
   * ready until the init Job has initialised it, which needs the release first.
   */
  await?: boolean;
}

/**
 * A pinned chart as a `helm.v3.Release` (its values stay visible to preview and tests).
 * Atomic where it waits: a failed install rolls back instead of leaving half a release.
 */
export function chartRelease(name: string, pin: ChartPin, args: ReleaseOptions, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
  const wait = args.await ?? true;
  return new k8s.helm.v3.Release(
    `${name}-release`,
    {
      name: args.releaseName,
      chart: pin.chart,
      version: pin.version,
      // An OCI chart names its registry in `chart` (oci://...) and has no repository.
      ...(pin.repo ? { repositoryOpts: { repo: pin.repo } } : {}),
      namespace: args.namespace,
      createNamespace: false,
      values: args.values,
      atomic: wait,
      skipAwait: !wait,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: 900,
    },
    opts,
  );
}
