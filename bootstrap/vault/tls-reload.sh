#!/bin/sh
# Sidecar of every Vault pod (Vault image: busybox sh, cksum, pkill; the pod shares its process
# namespace and runs as Vault's uid). Vault reads its listener certificate at start and again
# only on SIGHUP; cert-manager renews it and the kubelet updates the mounted Secret, so send
# SIGHUP whenever the mounted pair changes.
# Env: TLS_DIR (the mounted certificate Secret).
set -u
pair() { cat "$TLS_DIR/tls.crt" "$TLS_DIR/tls.key" | cksum; }
last=$(pair)
while true; do
  sleep 60
  now=$(pair)
  if [ "$now" != "$last" ] && pkill -HUP -x vault; then
    echo "listener certificate changed; sent SIGHUP to vault"
    last=$now
  fi
done
