#!/usr/bin/env bash
# examples/kubernetes: the manifests are valid objects with what a CronJob
# deployment needs (tools/examples_check.py k8s; the sharded CronJob's
# Indexed Job passes each pod's index to --shard), and the IAM policy grants
# exactly the AWS actions the code calls (tools/examples_check.py iam).
# Mutated copies show each check can fail.
source "$(dirname "$0")/lib.sh"
check=$TRELLIS_SOURCE_DIR/tests/e2e/tools/examples_check.py
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is needed (ci/packages.txt)"

python3 "$check" iam "$TRELLIS_SOURCE_DIR" >"$E2E_TMP/actions" || fail "IAM policy and code disagree (above)"
grep -qx 'vpc-lattice:CreateService' "$E2E_TMP/actions" || fail "the code's action list lacks CreateService"
python3 "$check" k8s "$TRELLIS_SOURCE_DIR" "$TRELLIS_BIN" || fail "examples/kubernetes (above)"

# A copy of what the checks read, with one change each.
copy() {
  local dir=$E2E_TMP/$1
  mkdir -p "$dir/examples"
  cp -r "$TRELLIS_SOURCE_DIR/src" "$dir/"
  cp -r "$TRELLIS_SOURCE_DIR/examples/kubernetes" "$TRELLIS_SOURCE_DIR/examples/trellis.yaml" "$dir/examples/"
  echo "$dir"
}
expect_fail() { # NAME MESSAGE CHECK-ARGS...
  local name=$1 msg=$2; shift 2
  if python3 "$check" "$@" >/dev/null 2>"$E2E_TMP/$name.err"; then
    fail "mutation $name was not caught"
  fi
  grep -qF -- "$msg" "$E2E_TMP/$name.err" || { cat "$E2E_TMP/$name.err"; fail "mutation $name: no '$msg'"; }
}

d=$(copy policy-lacks)
sed -i '/"vpc-lattice:DeleteRule",/d' "$d/examples/kubernetes/iam-policy.json"
expect_fail policy-lacks "lacks vpc-lattice:DeleteRule" iam "$d"

d=$(copy policy-extra)
sed -i 's/"vpc-lattice:GetRule",/"vpc-lattice:GetRule", "vpc-lattice:GetAccessLogSubscription",/' "$d/examples/kubernetes/iam-policy.json"
expect_fail policy-extra "grants vpc-lattice:GetAccessLogSubscription, which the code never calls" iam "$d"

d=$(copy policy-wildcard)
sed -i 's/"vpc-lattice:GetRule",/"vpc-lattice:Get*",/' "$d/examples/kubernetes/iam-policy.json"
expect_fail policy-wildcard "wildcard action vpc-lattice:Get*" iam "$d"

d=$(copy code-calls-more)
printf 'static const char *op = "PutResourcePolicy";\n' >"$d/src/apply/new_call.c"
expect_fail code-calls-more "lacks vpc-lattice:PutResourcePolicy" iam "$d"

d=$(copy owner-changed)
sed -i 's/^owner: .*/owner: someone-else/' "$d/examples/trellis.yaml"
expect_fail owner-changed "trellis/owner=someone-else" iam "$d"

d=$(copy create-untagged)
sed -i '0,/"aws:RequestTag\/trellis\/owner"/s//"aws:RequestTag\/team"/' "$d/examples/kubernetes/iam-policy.json"
expect_fail create-untagged "must require the request tag trellis/owner=platform-demo" iam "$d"

d=$(copy concurrency)
sed -i 's/concurrencyPolicy: Forbid/concurrencyPolicy: Allow/' "$d/examples/kubernetes/cronjob.yaml"
expect_fail concurrency "concurrencyPolicy: Forbid" k8s "$d" "$TRELLIS_BIN"

d=$(copy unknown-flag)
sed -i 's/- --cache-dir/- --cache-directory/' "$d/examples/kubernetes/cronjob.yaml"
expect_fail unknown-flag "trellis apply has no option --cache-directory" k8s "$d" "$TRELLIS_BIN"

d=$(copy claim-missing)
sed -i 's/claimName: trellis-cache/claimName: trellis-cache-typo/' "$d/examples/kubernetes/cronjob.yaml"
expect_fail claim-missing "claims trellis-cache-typo, which is no PersistentVolumeClaim" k8s "$d" "$TRELLIS_BIN"

d=$(copy writable-root)
sed -i 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' "$d/examples/kubernetes/cronjob.yaml"
expect_fail writable-root "readOnlyRootFilesystem must be True" k8s "$d" "$TRELLIS_BIN"

d=$(copy no-limits)
sed -i '/^                limits:/,/^                  memory: 512Mi/d' "$d/examples/kubernetes/cronjob.yaml"
expect_fail no-limits "resources.limits.cpu missing" k8s "$d" "$TRELLIS_BIN"

d=$(copy no-irsa)
sed -i '/eks.amazonaws.com\/role-arn/d' "$d/examples/kubernetes/serviceaccount-irsa.yaml"
expect_fail no-irsa "eks.amazonaws.com/role-arn" k8s "$d" "$TRELLIS_BIN"

d=$(copy cache-unmounted)
sed -i 's|mountPath: /var/cache/trellis|mountPath: /cache|' "$d/examples/kubernetes/cronjob.yaml"
expect_fail cache-unmounted "the cache dir /var/cache/trellis is not a volume mount" k8s "$d" "$TRELLIS_BIN"

d=$(copy inline-token)
sed -i 's|                - name: TMPDIR|                - name: TRELLIS_GIT_TOKEN\n                  value: ghp_inline\n                - name: TMPDIR|' "$d/examples/kubernetes/cronjob.yaml"
expect_fail inline-token "TRELLIS_GIT_TOKEN is inline" k8s "$d" "$TRELLIS_BIN"

d=$(copy shard-count)
sed -i 's|--shard=$(JOB_COMPLETION_INDEX)/3|--shard=$(JOB_COMPLETION_INDEX)/4|' "$d/examples/kubernetes/cronjob-sharded.yaml"
expect_fail shard-count 'args must pass --shard=$(JOB_COMPLETION_INDEX)/3 (COUNT = completions), got $(JOB_COMPLETION_INDEX)/4' k8s "$d" "$TRELLIS_BIN"

d=$(copy shard-parallelism)
sed -i 's/parallelism: 3 /parallelism: 1 /' "$d/examples/kubernetes/cronjob-sharded.yaml"
expect_fail shard-parallelism "parallelism must equal completions (3)" k8s "$d" "$TRELLIS_BIN"

d=$(copy shard-backoff)
sed -i 's/backoffLimitPerIndex: 2/backoffLimit: 0/' "$d/examples/kubernetes/cronjob-sharded.yaml"
expect_fail shard-backoff "use backoffLimitPerIndex, not backoffLimit" k8s "$d" "$TRELLIS_BIN"

d=$(copy shard-too-many)
sed -i 's|--shard=$(JOB_COMPLETION_INDEX)/3|--shard=$(JOB_COMPLETION_INDEX)/1001|; s/completions: 3 /completions: 1001 /; s/parallelism: 3 /parallelism: 1001 /' "$d/examples/kubernetes/cronjob-sharded.yaml"
expect_fail shard-too-many "trellis refuses --shard=0/1001" k8s "$d" "$TRELLIS_BIN"

d=$(copy bad-yaml)
printf 'kind: [unclosed\n' >>"$d/examples/kubernetes/namespace.yaml"
expect_fail bad-yaml "not YAML" k8s "$d" "$TRELLIS_BIN"
echo "ok: examples/kubernetes and its IAM policy agree with the code"
