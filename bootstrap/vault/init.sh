#!/bin/sh
# The init Job (AWS CLI image, Vault CLI copied in by the init container): initialises Vault
# once, stores the result in Secrets Manager, then enables the AWS auth login the deployers use.
# - the recovery keys exist only in this process until stored: the upload is retried with
#   backoff and the process never exits while it holds unsaved keys;
# - every configuration step is an upsert (auth enabled only if missing), so a retry after a
#   partial failure converges instead of failing on "path is already in use".
# Env: VAULT_ADDR, VAULT_CACERT, VAULT_BIN_DIR (where the init container copied the Vault CLI),
# WORK_DIR (in-memory volume), SECRET_ARN, AWS_REGION, VAULT_HOST (the login header value),
# AWS_AUTH_PATH, DEPLOY_ROLE, DEPLOY_ROLE_ARNS (comma-separated), DEPLOY_POLICY_NAME, DEPLOY_POLICY.
set -u
PATH="$VAULT_BIN_DIR:$PATH"
umask 077
result="$WORK_DIR/vault-init.json"
while true; do
  vault status -format=json > "$WORK_DIR/status.json" 2>/dev/null
  code=$?
  # 0 = unsealed, 2 = sealed: the server answers. 1 = not reachable yet.
  if [ "$code" -ne 1 ]; then break; fi
  echo "waiting for $VAULT_ADDR"; sleep 5
done
if grep -q '"initialized": true' "$WORK_DIR/status.json"; then
  echo "Vault is already initialised; nothing to do"; exit 0
fi
vault operator init -recovery-shares=5 -recovery-threshold=3 -format=json > "$result.tmp" || exit 1
mv "$result.tmp" "$result"
echo "Vault initialised; storing the result"
delay=5
until aws secretsmanager put-secret-value --secret-id "$SECRET_ARN" --secret-string "file://$result"; do
  echo "storing the init result failed; retrying in ${delay}s (the keys exist only in this pod)"
  sleep "$delay"
  if [ "$delay" -lt 300 ]; then delay=$((delay * 2)); fi
done
echo "recovery keys and root token stored in $SECRET_ARN"
VAULT_TOKEN=$(sed -n 's/.*"root_token": *"\([^"]*\)".*/\1/p' "$result")
export VAULT_TOKEN
rm -f "$result"
configure_deploy_login() {
  if ! vault auth list -format=json | grep -q "\"$AWS_AUTH_PATH/\""; then
    vault auth enable -path="$AWS_AUTH_PATH" aws || return 1
  fi
  vault write "auth/$AWS_AUTH_PATH/config/client" sts_endpoint="https://sts.$AWS_REGION.amazonaws.com" sts_region="$AWS_REGION" iam_server_id_header_value="$VAULT_HOST" || return 1
  printf '%s' "$DEPLOY_POLICY" | vault policy write "$DEPLOY_POLICY_NAME" - || return 1
  vault write "auth/$AWS_AUTH_PATH/role/$DEPLOY_ROLE" auth_type=iam bound_iam_principal_arn="$DEPLOY_ROLE_ARNS" token_policies="$DEPLOY_POLICY_NAME" token_ttl=20m token_max_ttl=1h || return 1
}
until configure_deploy_login; do
  echo "configuring the AWS auth login failed; retrying in 10s"; sleep 10
done
echo "AWS auth role $DEPLOY_ROLE bound to $DEPLOY_ROLE_ARNS"
