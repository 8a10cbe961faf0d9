#!/bin/sh
# Upload step (AWS CLI image): store the snapshot under raft/<UTC date and time>.snap,
# encrypted with the bucket's KMS key (the role may only put objects).
# Env: SNAPSHOT_FILE, BUCKET, KMS_KEY_ARN, AWS_REGION.
set -eu
key="raft/$(date -u +%Y/%m/%d/%H%M%SZ).snap"
aws s3 cp "$SNAPSHOT_FILE" "s3://$BUCKET/$key" --sse aws:kms --sse-kms-key-id "$KMS_KEY_ARN"
echo "uploaded s3://$BUCKET/$key"
