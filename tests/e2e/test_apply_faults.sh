#!/usr/bin/env bash
# apply under faults: the emulator throttles 20 % of requests, fails 5 % with
# 5xx and drops 1 % of connections. apply succeeds, or a following apply
# finishes the job; the end state has each resource exactly once and a plan
# without faults says no changes.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
emulator POST /_emulator/config '{"asyncMs": 30}' >/dev/null
emulator POST /_emulator/faults '{"throttle": 0.2, "error5xx": 0.05, "dropConnection": 0.01, "seed": 11, "retryAfterSeconds": 0}' >/dev/null

runs=0
until "$TRELLIS_BIN" apply --repo "$TRELLIS_SOURCE_DIR/examples" --summary >"$E2E_TMP/out" 2>&1; do
  runs=$((runs + 1))
  ((runs < 4)) || fail "apply under faults did not converge in 4 runs: $(tail -20 "$E2E_TMP/out")"
done
echo "ok: converged after $((runs + 1)) apply run(s) under faults"

emulator GET /_emulator/requests | python3 -c '
import json, sys
reqs = json.load(sys.stdin)["requests"]
faults = [r for r in reqs if r["status"] in (0, 429, 500) or r.get("errorCode") in ("Throttling", "ThrottlingException")]
assert faults, "no fault was injected"
print("ok: %d of %d requests were faults" % (len(faults), len(reqs)))'

emulator POST /_emulator/faults '{}' >/dev/null
out=$("$TRELLIS_BIN" plan --repo "$TRELLIS_SOURCE_DIR/examples" --detailed-exitcode 2>&1) || fail "plan after faults: $out"
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
dups = {k: n for k, n in names.items() if n > 1}
assert not dups, dups
assert names[("services", "datastore-apps")] == 1, names
assert names[("listeners", "datastore-apps-80-http")] == 1, names
assert names[("listeners", "datastore-apps-443-https")] == 1, names
assert names[("rules", "datastore-apps-443-https:datastore-apps-r2")] == 1, names
print("ok: no duplicates among %d named resources" % len(names))'
echo "3 passed, 0 failed"
