#!/usr/bin/env bash
# Two applies at once on the article's scenario (a CronJob overlapping a CI
# job) end in exactly the state one apply makes: the emulator's whole
# /_emulator/state, with ids, ARNs and times taken out, is compared with
# the state of a single apply. Then the same with two `apply --plan` of one
# saved plan. Client tokens make a create sent twice return one resource;
# a run that loses a race (both may) fails or is refused as stale, saying
# so, and the next run finishes the job.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"

# The account's content without what AWS makes up per object, and the
# objects made twice (tests/e2e/tools/account_state.py).
world() { emulator GET /_emulator/state | python3 "$TRELLIS_SOURCE_DIR/tests/e2e/tools/account_state.py" world; }
duplicates() { emulator GET /_emulator/state | python3 "$TRELLIS_SOURCE_DIR/tests/e2e/tools/account_state.py" duplicates; }
fresh() {
  emulator POST /_emulator/reset >/dev/null
  seed_examples
  emulator POST /_emulator/config '{"asyncMs": 60}' >/dev/null
}

# The reference: one apply from empty.
fresh
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "single apply: $(tail -20 "$E2E_TMP/out")"
world >"$E2E_TMP/one"
[[ $(wc -l <"$E2E_TMP/one") -ge 10 ]] || fail "the reference state is too small: $(cat "$E2E_TMP/one")"
ok "reference: one apply makes $(wc -l <"$E2E_TMP/one") objects"

# Two applies started together.
for round in 1 2; do
  fresh
  "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/a1" 2>&1 & p1=$!
  "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/a2" 2>&1 & p2=$!
  rc1=0; rc2=0; wait "$p1" || rc1=$?; wait "$p2" || rc2=$?
  if [[ $rc1 != 0 || $rc2 != 0 ]]; then
    "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 \
      || fail "apply after two at once: $(tail -20 "$E2E_TMP/out")"
  fi
  d=$(duplicates)
  [[ -z $d ]] || fail "duplicates after two at once: $d"
  world >"$E2E_TMP/two"
  diff "$E2E_TMP/one" "$E2E_TMP/two" >"$E2E_TMP/diff" || fail "two at once differ from one apply: $(head -40 "$E2E_TMP/diff")"
  rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary >"$E2E_TMP/out" 2>&1 || rc=$?
  [[ $rc == 0 ]] || fail "plan after two at once exited $rc: $(cat "$E2E_TMP/out")"
  ok "round $round: two applies at once (exit $rc1, $rc2) end in the state of one apply, no duplicate, no change left"
done

# Two `apply --plan` of one saved plan, started together.
fresh
"$TRELLIS_BIN" plan --repo "$repo" --out "$E2E_TMP/plan.json" >/dev/null 2>&1 || fail "plan --out"
cp "$E2E_TMP/plan.json" "$E2E_TMP/plan2.json"
"$TRELLIS_BIN" apply --plan "$E2E_TMP/plan.json" >"$E2E_TMP/a1" 2>&1 & p1=$!
"$TRELLIS_BIN" apply --plan "$E2E_TMP/plan2.json" >"$E2E_TMP/a2" 2>&1 & p2=$!
rc1=0; rc2=0; wait "$p1" || rc1=$?; wait "$p2" || rc2=$?
for f in a1 a2; do # a loser is refused as stale or fails a step, never silently
  if ! grep -q '^Apply complete' "$E2E_TMP/$f"; then
    grep -q '\[plan.stale\]\|\[apply.failed\]' "$E2E_TMP/$f" || fail "$f neither completed nor said why: $(tail -10 "$E2E_TMP/$f")"
  fi
done
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary >"$E2E_TMP/out" 2>&1 || rc=$?
if [[ $rc != 0 ]]; then
  "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply after two saved plans: $(tail -20 "$E2E_TMP/out")"
fi
d=$(duplicates)
[[ -z $d ]] || fail "duplicates after two saved plans at once: $d"
world >"$E2E_TMP/two"
diff "$E2E_TMP/one" "$E2E_TMP/two" >"$E2E_TMP/diff" || fail "two saved plans differ from one apply: $(head -40 "$E2E_TMP/diff")"
ok "two apply --plan of one saved plan at once (exit $rc1, $rc2): the state of one apply, no duplicate"

echo "$pass passed, 0 failed"
