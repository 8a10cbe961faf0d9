#!/bin/sh
# Snapshot step (Vault image): log in with the Kubernetes auth role that may only read
# sys/storage/raft/snapshot and save a raft snapshot for the upload step.
# Env: VAULT_ADDR, VAULT_CACERT, KUBERNETES_AUTH_PATH, SNAPSHOT_ROLE, VAULT_TOKEN_FILE (projected
# token for Vault's audience), SNAPSHOT_FILE.
set -eu
VAULT_TOKEN="$(vault write -field=token "auth/$KUBERNETES_AUTH_PATH/login" role="$SNAPSHOT_ROLE" jwt=@"$VAULT_TOKEN_FILE")"
export VAULT_TOKEN
vault operator raft snapshot save "$SNAPSHOT_FILE"
echo "snapshot taken"
