import { argocdAdminDisabled, argocdHa, helmRepoTrusted, helmVersionPinned, ingressReplicas, vaultHaTls } from "../../../policy/rules/helm";
import { appProjectScoped, noClusterAdminBinding, noDefaultNamespace } from "../../../policy/rules/k8s";
import { noWorldIngress, vpcCniNetworkPolicy, vpcFlowLogs } from "../../../policy/rules/network";
import { requiredTags } from "../../../policy/rules/tags";
import { PROD, res, STAGING, type RuleCases } from "./types";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const release = (chart: string, values: Record<string, unknown>, extra: Record<string, unknown> = {}, stack = PROD) =>
  res(RELEASE, { chart, version: "1.2.3", namespace: chart, repositoryOpts: { repo: "https://charts.example.org" }, values, ...extra }, { name: chart, stack });
const vaultValues = { global: { tlsDisable: false }, server: { ha: { enabled: true, replicas: 3, raft: { enabled: true } } } };
const argoValues = (adminEnabled: unknown) => ({
  configs: { cm: { "admin.enabled": adminEnabled } },
  "redis-ha": { enabled: true },
  server: { replicas: 2 },
  repoServer: { replicas: 2 },
});
const project = (name: string, spec: Record<string, unknown>) =>
  res("kubernetes:argoproj.io/v1alpha1:AppProject", { metadata: { name, namespace: "argocd" }, spec }, { name });
const addon = (addonName: string, configurationValues?: string) =>
  res("aws:eks/addon:Addon", { clusterName: "c", addonName, ...(configurationValues === undefined ? {} : { configurationValues }) }, { name: addonName });
const TAGS = { Project: "holodeck", Environment: "staging", Owner: "platform", CostCenter: "cc-1" };

export const clusterAddonCases: RuleCases[] = [
  {
    rule: helmVersionPinned,
    pass: [
      { title: "exact", resources: [release("vault", vaultValues)] },
      { title: "pre-release", resources: [release("vault", {}, { version: "0.34.0-rc.1" })] },
    ],
    fail: [
      { title: "range", resources: [release("vault", {}, { version: "^0.34.0" })], messages: ["chart 'vault' must pin an exact version (got '^0.34.0')."] },
      {
        title: "no version",
        resources: [release("argo/argo-cd", {}, { version: undefined })],
        messages: ["chart 'argo-cd' must pin an exact version (got 'unset')."],
      },
    ],
  },
  {
    rule: helmRepoTrusted,
    pass: [
      { title: "https repo", resources: [release("vault", {})] },
      { title: "oci chart", resources: [release("oci://ghcr.io/x/chart", {}, { repositoryOpts: undefined })] },
      { title: "oci chart with an empty repo", resources: [release("oci://ghcr.io/x/chart", {}, { repositoryOpts: { repo: "" } })] },
    ],
    fail: [
      {
        title: "local chart, empty repo",
        resources: [release("./charts/x", {}, { repositoryOpts: { repo: "" } })],
        messages: ["chart 'x' must come from an https:// or oci:// repository (got 'unset')."],
      },
      {
        title: "plain http",
        resources: [release("vault", {}, { repositoryOpts: { repo: "http://charts.example.org" } })],
        messages: ["chart 'vault' must come from an https:// or oci:// repository (got 'http://charts.example.org')."],
      },
    ],
  },
  {
    rule: vaultHaTls,
    pass: [
      { title: "HA raft TLS", resources: [release("vault", vaultValues)] },
      {
        title: "TLS listener in the raft HCL",
        resources: [
          release("vault", {
            ...vaultValues,
            server: { ha: { ...vaultValues.server.ha, raft: { enabled: true, config: 'listener "tcp" {\n  tls_cert_file = "/vault/tls/tls.crt"\n}' } } },
          }),
        ],
      },
      { title: "other charts ignored", resources: [release("argo-cd", {})] },
    ],
    fail: [
      {
        title: "chart defaults",
        resources: [release("vault", {})],
        messages: [
          "values.server.ha.enabled must be true.",
          "values.server.ha.replicas must be >= 3 (got unset).",
          "values.server.ha.raft.enabled must be true.",
          "values.global.tlsDisable must be false.",
        ],
      },
      {
        title: "TLS off",
        resources: [release("vault", { ...vaultValues, global: { tlsDisable: true } })],
        messages: ["values.global.tlsDisable must be false."],
      },
      {
        title: "plain-text listener in the raft HCL",
        resources: [
          release("vault", {
            ...vaultValues,
            server: { ha: { ...vaultValues.server.ha, raft: { enabled: true, config: 'listener "tcp" {\n  address = "[::]:8200"\n  tls_disable = 1\n}' } } },
          }),
        ],
        messages: ["values.server.ha.raft.config must not set tls_disable on a listener."],
      },
    ],
  },
  {
    rule: argocdAdminDisabled,
    pass: [
      { title: "admin off in production", resources: [release("argo-cd", argoValues(false))] },
      { title: "string false", resources: [release("argo-cd", argoValues("false"))] },
      { title: "admin on in staging", resources: [release("argo-cd", argoValues(true), {}, STAGING)] },
    ],
    fail: [
      {
        title: "admin left on in production",
        resources: [release("argo-cd", argoValues(true))],
        messages: ["values.configs.cm['admin.enabled'] must be false in production."],
      },
    ],
  },
  {
    rule: argocdHa,
    pass: [{ title: "HA", resources: [release("argo-cd", argoValues(false))] }],
    fail: [
      {
        title: "single replicas",
        resources: [release("argo-cd", { server: { replicas: 1 } })],
        messages: [
          "values['redis-ha'].enabled should be true.",
          "values.server.replicas should be >= 2 (got 1).",
          "values.repoServer.replicas should be >= 2 (got unset).",
        ],
      },
    ],
  },
  {
    rule: ingressReplicas,
    pass: [{ title: "2 replicas", resources: [release("ingress-nginx", { controller: { replicaCount: 2 } })] }],
    fail: [
      {
        title: "1 replica",
        resources: [release("ingress-nginx", { controller: { replicaCount: 1 } })],
        messages: ["values.controller.replicaCount should be >= 2 (got 1)."],
      },
    ],
  },
  {
    rule: appProjectScoped,
    pass: [
      {
        title: "services: Namespace only",
        resources: [project("services", { sourceRepos: ["https://git.example.org/svc/*"], clusterResourceWhitelist: [{ group: "", kind: "Namespace" }] })],
      },
      { title: "platform may do anything", resources: [project("platform", { sourceRepos: ["*"], clusterResourceWhitelist: [{ group: "*", kind: "*" }] })] },
    ],
    fail: [
      {
        title: "services with ClusterRole and any repo",
        resources: [
          project("services", {
            sourceRepos: ["*"],
            clusterResourceWhitelist: [
              { group: "", kind: "Namespace" },
              { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
            ],
          }),
        ],
        messages: [
          "AppProject 'services' must not allow cluster-scoped 'rbac.authorization.k8s.io/ClusterRole'; only core/Namespace.",
          "AppProject 'services' must list its sourceRepos, not '*'.",
        ],
      },
    ],
  },
  {
    rule: noClusterAdminBinding,
    pass: [
      {
        title: "view binding",
        resources: [res("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", { roleRef: { kind: "ClusterRole", name: "view" } })],
      },
    ],
    fail: [
      {
        title: "cluster-admin",
        resources: [res("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", { roleRef: { kind: "ClusterRole", name: "cluster-admin" } })],
        messages: ["roleRef.name must not be 'cluster-admin'."],
      },
    ],
  },
  {
    rule: noDefaultNamespace,
    pass: [{ title: "named namespaces", resources: [release("vault", {}), project("services", {})] }],
    fail: [
      {
        title: "release without namespace",
        resources: [release("vault", {}, { namespace: undefined })],
        messages: ["kubernetes:helm.sh/v3:Release 'vault' must name a namespace other than 'default'."],
      },
      {
        title: "secret in default",
        resources: [res("kubernetes:core/v1:Secret", { metadata: { name: "x", namespace: "default" } }, { name: "x" })],
        messages: ["kubernetes:core/v1:Secret 'x' must name a namespace other than 'default'."],
      },
    ],
  },
  {
    rule: vpcFlowLogs,
    pass: [
      {
        title: "flow log ALL",
        resources: [
          res("aws:ec2/vpc:Vpc", {}, { name: "vpc" }),
          res("aws:ec2/flowLog:FlowLog", { trafficType: "ALL" }, { name: "fl", propertyDependsOn: { vpcId: ["vpc"] } }),
        ],
      },
    ],
    fail: [
      { title: "no flow log", resources: [res("aws:ec2/vpc:Vpc", {}, { name: "vpc" })], messages: ["VPC 'vpc' has no FlowLog with trafficType 'ALL'."] },
      {
        title: "REJECT only",
        resources: [res("aws:ec2/vpc:Vpc", {}, { name: "vpc" }), res("aws:ec2/flowLog:FlowLog", { trafficType: "REJECT" }, { name: "fl", dependsOn: ["vpc"] })],
        messages: ["VPC 'vpc' has no FlowLog with trafficType 'ALL'."],
      },
    ],
  },
  {
    rule: noWorldIngress,
    pass: [
      {
        title: "443 from anywhere",
        resources: [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" })],
      },
      {
        title: "SSH from the VPC only",
        resources: [res("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/16"] }] })],
      },
      {
        title: "egress rule",
        resources: [res("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })],
      },
    ],
    fail: [
      {
        title: "SSH from anywhere",
        resources: [res("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] })],
        messages: ["ingress 22-22 is open to the internet."],
      },
      {
        title: "all ports over IPv6",
        resources: [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "-1", cidrIpv6: "::/0" })],
        messages: ["ingress 0-65535 is open to the internet."],
      },
    ],
  },
  {
    rule: vpcCniNetworkPolicy,
    pass: [
      { title: "network policy on", resources: [addon("vpc-cni", '{"enableNetworkPolicy":"true"}')] },
      { title: "with other settings", resources: [addon("vpc-cni", '{"env":{"ENABLE_PREFIX_DELEGATION":"true"},"enableNetworkPolicy":"true"}')] },
      { title: "other add-ons ignored", resources: [addon("coredns")] },
    ],
    fail: [
      {
        title: "add-on defaults",
        resources: [addon("vpc-cni")],
        messages: ["add-on 'vpc-cni' must set configurationValues enableNetworkPolicy to \"true\" (got unset)."],
      },
      {
        title: "boolean instead of the schema's string",
        resources: [addon("vpc-cni", '{"enableNetworkPolicy":true}')],
        messages: ["add-on 'vpc-cni' must set configurationValues enableNetworkPolicy to \"true\" (got true)."],
      },
      {
        title: "switched off",
        resources: [addon("vpc-cni", '{"enableNetworkPolicy":"false"}')],
        messages: ['add-on \'vpc-cni\' must set configurationValues enableNetworkPolicy to "true" (got "false").'],
      },
      {
        title: "not JSON",
        resources: [addon("vpc-cni", "enableNetworkPolicy: true")],
        messages: ["add-on 'vpc-cni' must set configurationValues enableNetworkPolicy to \"true\" (got no JSON object)."],
      },
    ],
  },
  {
    rule: requiredTags,
    pass: [
      { title: "own tags", resources: [res("aws:ec2/vpc:Vpc", { tags: TAGS })] },
      {
        title: "provider defaultTags (JSON-encoded, as the SDK sends provider inputs)",
        resources: [
          res("aws:ec2/vpc:Vpc", {}, { provider: { type: "pulumi:providers:aws", name: "aws", props: { defaultTags: JSON.stringify({ tags: TAGS }) } } }),
        ],
      },
      { title: "untaggable types are not checked", resources: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {})] },
    ],
    fail: [
      {
        title: "Owner and CostCenter missing",
        resources: [res("aws:kms/key:Key", { tags: { Project: "holodeck", Environment: "staging" } }, { name: "k" })],
        messages: ["aws:kms/key:Key 'k' is missing tag(s) Owner, CostCenter."],
      },
      {
        title: "provider defaultTags without CostCenter",
        resources: [
          res(
            "aws:ec2/vpc:Vpc",
            {},
            {
              name: "v",
              provider: { type: "pulumi:providers:aws", name: "aws", props: { defaultTags: JSON.stringify({ tags: { ...TAGS, CostCenter: undefined } }) } },
            },
          ),
        ],
        messages: ["aws:ec2/vpc:Vpc 'v' is missing tag(s) CostCenter."],
      },
    ],
  },
];
