#!/usr/bin/env bash
# --shard and several configs in one run under valgrind against the
# emulator: a shard that leaves out what waits for shard 0, the shards in
# turn, a sharded prune; two configs planned and applied in one run, and
# two that collide (refused before AWS). No leak, no invalid access.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if [[ ${TRELLIS_SANITIZED:-0} == 1 ]]; then
  echo "valgrind needs the build without sanitizers (ci/build release)" >&2
  exit 1
fi
command -v valgrind >/dev/null || fail "valgrind is missing (ci/install-deps installs it)"
start_emulator
seed_examples
emulator POST /_emulator/config '{"asyncMs": 20}' >/dev/null
repo=$E2E_TMP/repo
mkdir -p "$repo"
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/main/"
# A second config: its own owner, one cluster with a Service only.
mkdir -p "$repo/other/cluster"
printf 'version: 1\nregion: us-west-2\nowner: other\nclusters:\n  - name: c\n    path: cluster\n    vpcId: vpc-0a1b2c3d4e5f60003\n' >"$repo/other/trellis.yaml"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: apps}\nspec: {ports: [{port: 80}]}\n' >"$repo/other/cluster/svc.yaml"
pass=0
run() {
  local want=$1; shift
  local rc=0
  valgrind -q --suppressions="$here/../unit/source/valgrind.supp" --leak-check=full \
    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=99 "$TRELLIS_BIN" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/vg" || rc=$?
  [[ $rc == "$want" ]] || { echo "FAIL: trellis $* exited $rc, want $want"; cat "$E2E_TMP/vg"; tail -20 "$E2E_TMP/out"; exit 1; }
  echo "ok: trellis $*"; pass=$((pass + 1))
}
# The example's one route hashes to shard 1 of 3.
run 1 apply --repo "$repo" --path main --shard 1/3
grep -q '\[shard.dependency\]' "$E2E_TMP/vg" || fail "shard 1 before shard 0 left nothing out: $(tail "$E2E_TMP/vg")"
run 0 apply --repo "$repo" --path main --shard 0/3 --format json
run 0 apply --repo "$repo" --path main --shard 1/3
run 0 apply --repo "$repo" --path main --shard 2/3
run 0 plan --repo "$repo" --path main --detailed-exitcode
# More than maxDeletes (10) with both listeners: the limit counts the
# whole config in every shard.
rm "$repo/main/clusters/cluster-b/route-datastore.yaml" "$repo/main/clusters/cluster-b/auth-datastore.yaml" \
  "$repo/main/clusters/cluster-a/client-role.yaml"
run 0 apply --repo "$repo" --path main --prune --max-deletes 20 --shard 0/3
run 0 apply --repo "$repo" --path main --prune --max-deletes 20 --shard 1/3
run 0 plan --repo "$repo" --path main --path other --format json
run 0 apply --repo "$repo" --path main --path other --prune
run 0 validate --repo "$repo" --path main --path other
run 0 render --repo "$repo" --path main --path other
sed -i 's/^owner: other$/owner: platform-demo/; s/^region: .*/region: us-west-2/' "$repo/other/trellis.yaml"
run 1 plan --repo "$repo" --path main --path other
grep -q '\[config.same-owner\]' "$E2E_TMP/vg" || fail "no same-owner error: $(tail "$E2E_TMP/vg")"
echo "$pass passed, 0 failed"
