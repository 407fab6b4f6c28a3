#!/usr/bin/env bash
# The summary line (docs/operations.md) against the emulator: last on
# stderr after every plan and apply, with what the run did; as JSON with
# --log-format json; result=failed when AWS fails.
source "$(dirname "$0")/lib.sh"
start_emulator
seed_examples
repo=$TRELLIS_SOURCE_DIR/examples

"$TRELLIS_BIN" apply --repo "$repo" --log-format json >"$E2E_TMP/out" 2>"$E2E_TMP/err" \
  || fail "apply: $(tail -5 "$E2E_TMP/err")"
tail -1 "$E2E_TMP/err" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["event"] == "summary" and s["command"] == "apply", s
assert s["result"] == "ok" and s["exit"] == 0 and s["errors"] == 0, s
assert s["create"] > 0 and s["done"] == s["create"] + s["update"] + s["replace"] + s["delete"], s
assert s["failed"] == 0 and s["skipped"] == 0 and s["duration_ms"] >= 0, s
print("ok: apply summary", s["create"], "created")' || fail "apply summary: $(tail -1 "$E2E_TMP/err")"

"$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode >/dev/null 2>"$E2E_TMP/err" || fail "plan after apply"
last=$(tail -1 "$E2E_TMP/err")
[[ $last =~ ^trellis-summary:\ command=plan\ result=ok\ exit=0\ errors=0\ warnings=[0-9]+\ create=0\ update=0\ replace=0\ delete=0\ done=0\ failed=0\ skipped=0\ duration_ms=[0-9]+\ commit=.+$ ]] \
  || fail "plan summary: $last"

emulator POST /_emulator/faults '{"error5xx": 1.0, "seed": 3, "retryAfterSeconds": 0}' >/dev/null
"$TRELLIS_BIN" plan --repo "$repo" >/dev/null 2>"$E2E_TMP/err" && fail "plan should fail when AWS does"
last=$(tail -1 "$E2E_TMP/err")
[[ $last =~ ^trellis-summary:\ command=plan\ result=failed\ exit=1\ errors=[1-9] ]] || fail "failed plan summary: $last"
echo "ok: summary lines for ok, no-change and failed runs"
