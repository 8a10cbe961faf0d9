// Turns what the harness recorded for a stack into the engine's PolicyResource graph, so
// the whole pack can run over a shipped stack exactly as `pulumi preview` would feed it.
import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import type { RecordedResource } from "../harness/stacks";

/** A provider reference is `<provider urn>::<provider id>`. */
function providerUrn(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

export function recordedToPolicyResources(recorded: readonly RecordedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const built = recorded.map((resource) => {
    const policyResource: PolicyResource = {
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      props: resource.inputs,
      opts: {
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: resource.parent,
      },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    byUrn.set(resource.urn, policyResource);
    return policyResource;
  });
  const lookup = (urn: string): PolicyResource => {
    const found = byUrn.get(urn);
    if (!found) throw new Error(`recorded resource references unknown URN ${urn}`);
    return found;
  };
  recorded.forEach((resource, index) => {
    const target = built[index];
    target.dependencies = resource.dependsOn.map(lookup);
    for (const [input, urns] of Object.entries(resource.propertyDependencies)) target.propertyDependencies[input] = urns.map(lookup);
    if (resource.parent) target.parent = byUrn.get(resource.parent);
    if (resource.provider) {
      const provider = lookup(providerUrn(resource.provider));
      const policyProvider: PolicyProviderResource = { type: provider.type, name: provider.name, urn: provider.urn, props: provider.props };
      target.provider = policyProvider;
    }
  });
  return built;
}
