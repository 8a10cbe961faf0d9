// Lua health checks Argo CD runs for kinds it does not know (argocd-cm
// `resource.customizations.health.<group>_<kind>`). Sync waves only move on when the
// previous wave is Healthy, so these decide when a service's database and secrets are
// ready for its migration Job and Deployment (docs/chart.md, sync waves).

/** Crossplane v2 composite `PostgresInstance`: Healthy once Synced and Ready are True. */
export const POSTGRES_INSTANCE_HEALTH = `local hs = {}
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for Crossplane to report the database status"
  return hs
end
local ready = nil
local synced = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then ready = condition end
  if condition.type == "Synced" then synced = condition end
end
if synced ~= nil and synced.status == "False" then
  hs.status = "Degraded"
  hs.message = synced.message or synced.reason or "Composition failed to sync"
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "Database is ready"
  return hs
end
hs.status = "Progressing"
if ready ~= nil and ready.message ~= nil then
  hs.message = ready.message
else
  hs.message = "Waiting for the database to become ready"
end
return hs
`;

/** External Secrets `ExternalSecret`: Healthy when the target Secret is synced. */
export const EXTERNAL_SECRET_HEALTH = `local hs = {}
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the secret to be synced from Vault"
  return hs
end
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    if condition.status == "True" then
      hs.status = "Healthy"
      hs.message = condition.message or "Secret synced"
      return hs
    end
    if condition.status == "False" then
      hs.status = "Degraded"
      hs.message = condition.message or condition.reason or "Secret sync failed"
      return hs
    end
  end
end
hs.status = "Progressing"
hs.message = "Waiting for the secret to be synced from Vault"
return hs
`;

export const HEALTH_CUSTOMIZATIONS: Record<string, string> = {
  "resource.customizations.health.platform.holodeck.dev_PostgresInstance": POSTGRES_INSTANCE_HEALTH,
  "resource.customizations.health.external-secrets.io_ExternalSecret": EXTERNAL_SECRET_HEALTH,
};
