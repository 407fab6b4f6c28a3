#!/usr/bin/env bash
# A handful of the bad-input catalogue (tests/data/bad-inputs/) under
# valgrind on the release build: the cases that stop a parse half-way (alias
# bomb, depth, encoding, a scalar over its cap, duplicate keys), refuse a
# symlink, read strict JSON, or report a look-alike kind. No leak and no
# invalid access on any of those exits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TRELLIS_BIN:?}
if [[ ${TRELLIS_SANITIZED:-0} == 1 ]]; then
  echo "valgrind needs the build without sanitizers (ci/build release)" >&2
  exit 1
fi
command -v valgrind >/dev/null || { echo "valgrind is missing (ci/install-deps installs it)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cases=(alias-bomb deep-flow deep-block-seq invalid-utf8 nul-bytes tab-indent large-scalar
  duplicate-keys wrong-types symlink-passwd json-trailing-comma lookalike-kind utf16 bom-crlf)
"$here/../data/bad-inputs/generate" "$tmp/cases" "${cases[@]}"
run() {
  local want=$1; shift
  local rc=0
  valgrind -q --suppressions="$here/../unit/source/valgrind.supp" --leak-check=full \
    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=99 "$bin" "$@" >/dev/null 2>"$tmp/vg" || rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL: trellis $* exited $rc, want $want"; cat "$tmp/vg"; exit 1
  fi
  echo "ok: trellis $*"
}
for c in "${cases[@]}"; do
  want=1
  [[ $c == utf16 || $c == bom-crlf ]] && want=0
  run "$want" validate --repo "$tmp/cases/$c"
done
run 1 render --repo "$tmp/cases/wrong-types"
run 1 validate --repo "$tmp/cases/json-trailing-comma" --format json
run 0 render --repo "$tmp/cases/bom-crlf"
