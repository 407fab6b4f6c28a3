#!/usr/bin/env bash
# plan, apply, apply --dry-run and a prune under valgrind against the
# emulator: no leak and no invalid access on the AWS paths (observe, plan,
# executor, client).
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
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
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
run 0 plan --repo "$repo" --format json
run 0 apply --repo "$repo" --dry-run
run 0 apply --repo "$repo"
run 0 plan --repo "$repo" --detailed-exitcode --format markdown
# The route goes with what names it: its auth policy and the client role
# (so the prune also runs the IAM and auth policy deletions).
rm "$repo/clusters/cluster-b/route-datastore.yaml" "$repo/clusters/cluster-b/auth-datastore.yaml" \
  "$repo/clusters/cluster-a/client-role.yaml"
# 13 deletions (two listeners, HTTP and HTTPS, with two rules each) are
# over the examples' maxDeletes 10: refused, then allowed.
run 1 apply --repo "$repo" --prune
run 0 apply --repo "$repo" --prune --max-deletes 13
AWS_SECRET_ACCESS_KEY=wrong run 1 plan --repo "$repo"
echo "$pass passed, 0 failed"
