#!/usr/bin/env bash
# A subset of test_hostile_replies.sh under valgrind (release build): the
# error paths a broken endpoint drives (unreadable, huge and truncated
# replies, redirects, bad XML, garbage answers to writes) leak nothing and
# touch no invalid memory.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/hostile_lib.sh"
trap 'stop_hostile; cleanup_e2e' EXIT
if [[ ${TRELLIS_SANITIZED:-0} == 1 ]]; then
  echo "valgrind needs the build without sanitizers (ci/build release)" >&2
  exit 1
fi
command -v valgrind >/dev/null || fail "valgrind is missing (ci/install-deps installs it)"
start_upstream

pass=0
for c in html:plan missing-fields:plan huge:plan truncated:plan redirect:plan \
         same-page:plan sts-invalid-xml:whoami sts-entity-bomb:whoami \
         create-html:apply create-missing-id:apply; do
  mode=${c%%:*} cmd=${c##*:}
  start_hostile "$mode"
  args=("$cmd")
  [[ $cmd == whoami ]] || args+=(--repo "$TRELLIS_SOURCE_DIR/examples")
  rc=0
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
    "$TRELLIS_BIN" "${args[@]}" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
  stop_hostile
  [[ $rc == 1 ]] || fail "$mode: trellis $cmd exited $rc under valgrind, want 1: $(tail -c 3000 "$E2E_TMP/err")"
  echo "ok: $mode ($cmd)"
  pass=$((pass + 1))
done
echo "ok: $pass hostile endpoints clean under valgrind"
