// Hosts and paths of service namespaces (issue 14, docs/tenancy.md): a ValidatingAdmissionPolicy
// (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) that the API server evaluates for
// every Ingress, HTTPRoute, GRPCRoute and cert-manager Certificate in a namespace labelled
// holodeck.dev/service. A service may serve only `<its domain>.<cluster domain>` under
// `/<service>`; platform UI hosts, other domains, catch-all hosts and other services' paths are
// refused with a message naming what is allowed. It applies to every requester (Argo CD's
// deployer, a developer's kubectl, cert-manager's ingress-shim) because admission runs after RBAC.
import { DOMAIN_LABEL, SERVICE_LABEL } from "../../model/team";
import { PLATFORM_UIS } from "../gateway/constants";
import { admissionRule, literal, servicePolicyObjects, SUBJECT, type AdmissionValidation } from "./service-admission";

export const HOST_POLICY = "holodeck-service-hosts";

export interface HostPolicyArgs {
  /** The stack domain (chart global.clusterDomain), e.g. staging.eu-west-1.holodeck.dev. */
  clusterDomain: string;
}

const ALLOWED = "'only ' + variables.host + ' under ' + variables.prefix + ' is this service\\'s (its namespace\\'s domain label and name)'";

/** The rules, one per way out of the service's host and path. */
export function hostValidations(args: HostPolicyArgs): AdmissionValidation[] {
  const platformHosts = `[${Object.keys(PLATFORM_UIS)
    .map((ui) => literal(`${ui}.${args.clusterDomain}`))
    .join(", ")}]`;
  const isKind = (kind: string): string => `object.kind == ${literal(kind)}`;
  // A path is the service's when it is its prefix, below it, or the chart's rewrite form.
  const ownPath = (p: string): string => `(${p} == variables.prefix || ${p}.startsWith(variables.prefix + '/') || ${p} == variables.prefix + '(/|$)(.*)')`;
  return [
    {
      expression: "namespaceObject.metadata.name == variables.service",
      messageExpression: `${SUBJECT} + 'the namespace label ${SERVICE_LABEL} must equal the namespace name (the platform sets it); ask the platform team'`,
      reason: "Forbidden",
    },
    {
      expression: `!variables.hosts.exists(h, h in ${platformHosts})`,
      messageExpression: `${SUBJECT} + 'names a platform host (' + variables.hosts.filter(h, h in ${platformHosts}).join(', ') + '); ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      expression: "variables.hosts.all(h, h == variables.host)",
      messageExpression: `${SUBJECT} + 'host(s) ' + variables.hosts.filter(h, h != variables.host).join(', ') + ' not allowed; ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      expression: `!(${isKind("Ingress")}) || !has(object.spec.tls) || object.spec.tls.all(t, has(t.hosts) && t.hosts.all(h, h == variables.host))`,
      messageExpression: `${SUBJECT} + 'TLS hosts must be exactly [' + variables.host + ']; ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      // No host at all means every host of the edge (another domain's services included).
      expression: `!(${isKind("Ingress")}) || (!has(object.spec.defaultBackend) && (!has(object.spec.rules) || object.spec.rules.all(r, has(r.host))))`,
      messageExpression: `${SUBJECT} + 'every rule needs host ' + variables.host + ' and there may be no defaultBackend (they catch every host); ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      expression: `!(${isKind("HTTPRoute")} || ${isKind("GRPCRoute")}) || (has(object.spec.hostnames) && size(object.spec.hostnames) > 0)`,
      messageExpression: `${SUBJECT} + 'spec.hostnames must be [' + variables.host + '] (a route without hostnames takes every host of its listener); ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      expression: `${isKind("Certificate")} ? (has(object.spec.dnsNames) && size(object.spec.dnsNames) > 0 && !has(object.spec.ipAddresses) && !has(object.spec.uris) && !has(object.spec.emailAddresses)) : true`,
      messageExpression: `${SUBJECT} + 'a certificate names dnsNames [' + variables.host + '] only (no IP addresses, URIs or e-mail addresses); ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      expression: `!(${isKind("Ingress")}) || !has(object.spec.rules) || object.spec.rules.all(r, !has(r.http) || r.http.paths.all(p, has(p.path) && ${ownPath("p.path")}))`,
      messageExpression: `${SUBJECT} + 'path(s) outside ' + variables.prefix + ' are refused (other services\\' paths); ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      expression:
        `!(${isKind("HTTPRoute")}) || (has(object.spec.rules) && object.spec.rules.all(r, has(r.matches) && size(r.matches) > 0 && r.matches.all(m, has(m.path) && has(m.path.value) && ` +
        `(!has(m.path.type) || m.path.type != 'RegularExpression') && ${ownPath("m.path.value")})))`,
      messageExpression: `${SUBJECT} + 'every rule must match a PathPrefix or Exact path under ' + variables.prefix + ' (no regular expressions, no match-all rule); ' + ${ALLOWED}`,
      reason: "Forbidden",
    },
    {
      // ingress-nginx snippets are raw nginx configuration: they could serve any host.
      expression: `!(${isKind("Ingress")}) || !has(object.metadata.annotations) || !object.metadata.annotations.exists(k, k.contains('snippet'))`,
      messageExpression: `${SUBJECT} + 'nginx snippet annotations are refused (raw configuration can serve any host)'`,
      reason: "Forbidden",
    },
  ];
}

/** Every host an object names: Ingress rules, route hostnames, certificate names (Ingress TLS hosts: their own rule). */
const HOSTS_OF =
  "object.kind == 'Ingress' ? (has(object.spec.rules) ? object.spec.rules.filter(r, has(r.host)).map(r, r.host) : []) : " +
  "object.kind == 'Certificate' ? (has(object.spec.dnsNames) ? object.spec.dnsNames : []) + (has(object.spec.commonName) ? [object.spec.commonName] : []) : " +
  "(has(object.spec.hostnames) ? object.spec.hostnames : [])";

/** The policy and its binding (Deny), as manifests. */
export function hostPolicyObjects(args: HostPolicyArgs): Record<string, unknown>[] {
  return servicePolicyObjects({
    name: HOST_POLICY,
    resourceRules: [
      admissionRule("networking.k8s.io", ["v1"], ["ingresses"]),
      admissionRule("gateway.networking.k8s.io", ["*"], ["httproutes", "grpcroutes"]),
      admissionRule("cert-manager.io", ["*"], ["certificates"]),
    ],
    variables: [
      { name: "service", expression: `namespaceObject.metadata.labels[${literal(SERVICE_LABEL)}]` },
      {
        name: "host",
        expression: `(${literal(DOMAIN_LABEL)} in namespaceObject.metadata.labels ? namespaceObject.metadata.labels[${literal(DOMAIN_LABEL)}] : '<no ${DOMAIN_LABEL} label>') + ${literal(`.${args.clusterDomain}`)}`,
      },
      { name: "prefix", expression: "'/' + variables.service" },
      { name: "hosts", expression: HOSTS_OF },
    ],
    validations: hostValidations(args),
  });
}
