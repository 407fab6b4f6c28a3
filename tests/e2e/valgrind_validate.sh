#!/usr/bin/env bash
# trellis validate under valgrind: no leak, no invalid access, on the seed
# sample, the examples and a folder full of loading errors.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TRELLIS_BIN:?}
data=${TRELLIS_TEST_DATA:?}
if [[ ${TRELLIS_SANITIZED:-0} == 1 ]]; then
  echo "valgrind needs the build without sanitizers (ci/build release)" >&2
  exit 1
fi
command -v valgrind >/dev/null || { echo "valgrind is missing (ci/install-deps installs it)" >&2; exit 1; }
run() {
  local want=$1; shift
  local rc=0
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
    "$bin" "$@" >/dev/null 2>"$tmp/vg" || rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL: trellis $* exited $rc, want $want"; cat "$tmp/vg"; exit 1
  fi
  echo "ok: trellis $*"
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run 0 validate --repo "$data/seed-sample"
run 0 validate --repo "$here/../../examples" --verbose --format json
run 1 validate --repo "$here/cli/validate-errors-sorted/repo"
run 1 validate --repo "$here/cli/config-errors/repo" --format github
run 1 validate --repo "$here/cli/validate-refs-clusters/repo"
run 0 validate --repo "$here/cli/validate-unsupported/repo" --allow-unsupported --format json
run 0 version
run 64 validate --nope
