#!/usr/bin/env bash
# apply interrupted and apply twice at once. (1) For N in 1, 3, 6, 9 the
# apply is killed (SIGKILL) right after the emulator logged its Nth
# mutating request; the next apply converges to the same state with no
# duplicate. (2) Two applies started together converge, no duplicates.
# Client tokens (owner, commit, address, request) make this hold.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
pass=0
repo=$TRELLIS_SOURCE_DIR/examples

mutations() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if r["mutating"]))'
}
check_world() {
  out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary 2>&1) || fail "$1: plan: $out"
  emulator GET /_emulator/state | python3 -c '
import json, sys, collections
lat = json.load(sys.stdin)["lattice"]
# A rule name is unique within its listener (the HTTP and the HTTPS
# listener each have a datastore-apps-r1 and a default rule): key rules by
# listener name and rule name.
listeners = {l["id"]: l["name"] for l in lat["listeners"].values()}
names = collections.Counter()
for kind, objs in lat.items():
    if isinstance(objs, dict):
        for o in objs.values():
            if isinstance(o, dict) and "name" in o:
                if kind == "rules":
                    names[(kind, listeners.get(o["listenerId"], o["listenerId"]) + ":" + o["name"])] += 1
                else:
                    names[(kind, o["name"])] += 1
dups = {"%s/%s" % k: n for k, n in names.items() if n > 1}
assert not dups, "duplicates: %s" % dups
assert names[("services", "datastore-apps")] == 1, names
assert names[("listeners", "datastore-apps-80-http")] == 1, names
assert names[("listeners", "datastore-apps-443-https")] == 1, names
assert names[("rules", "datastore-apps-443-https:datastore-apps-r2")] == 1, names' || fail "$1: duplicates"
}

for n in 1 3 6 9; do
  emulator POST /_emulator/reset >/dev/null
  seed_examples
  # Slow creations down so the kill lands mid-run.
  emulator POST /_emulator/config '{"asyncMs": 150}' >/dev/null
  "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/killed.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    (( $(mutations) >= n )) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply after a kill at $n: $(tail -20 "$E2E_TMP/out")"
  check_world "killed after $n writes"
  echo "ok: killed after $n mutating requests, the next apply converged without duplicates"
  pass=$((pass + 1))
done

emulator POST /_emulator/reset >/dev/null
seed_examples
emulator POST /_emulator/config '{"asyncMs": 50}' >/dev/null
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/a1" 2>&1 & p1=$!
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/a2" 2>&1 & p2=$!
rc1=0; rc2=0; wait "$p1" || rc1=$?; wait "$p2" || rc2=$?
if [[ $rc1 != 0 || $rc2 != 0 ]]; then
  # One may lose a race on a conflict; a further run must finish the job.
  "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply after two at once: $(tail -20 "$E2E_TMP/out")"
fi
check_world "two at once"
echo "ok: two applies at once converged without duplicates (exit codes $rc1 $rc2)"
pass=$((pass + 1))
echo "$pass passed, 0 failed"
