#!/usr/bin/env bash
# trellis explain-access under valgrind: no leak, no invalid access, for an
# allowed call, two denied ones (text and JSON) and an unknown role.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TRELLIS_BIN:?}
data=${TRELLIS_TEST_DATA:?}
if [[ ${TRELLIS_SANITIZED:-0} == 1 ]]; then
  echo "valgrind needs the build without sanitizers (ci/build release)" >&2
  exit 1
fi
command -v valgrind >/dev/null || { echo "valgrind is missing (ci/install-deps installs it)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() {
  local want=$1; shift
  local rc=0
  valgrind -q --suppressions="$here/../unit/source/valgrind.supp" --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
    "$bin" explain-access "$@" >/dev/null 2>"$tmp/vg" || rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL: trellis explain-access $* exited $rc, want $want"; cat "$tmp/vg"; exit 1
  fi
  echo "ok: trellis explain-access $*"
}
repo=$data/explain-access/repo
run 0 --repo "$here/../../examples" --from-cluster cluster-a --role aws-sigv4-client --to apps/datastore
run 2 --repo "$repo" --from-cluster cluster-b --role aws-sigv4-client --to apps/datastore
run 2 --repo "$repo" --from-cluster cluster-a --role reporting --to apps/datastore --format json --account 111122223333
run 1 --repo "$repo" --from-cluster cluster-a --role nobody --to apps/datastore
