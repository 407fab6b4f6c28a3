#!/usr/bin/env bash
# The main job end to end against the emulator, on the article's scenario
# (examples/): plan from empty, dry-run (reads only), apply, plan again (no
# changes), a second apply (no writes), the canary moved to 90/10 (exactly
# the /summary rule updated, on each of the service's two listeners, HTTP
# and HTTPS), and the route removed (deletions only under --prune).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
emulator POST /_emulator/config '{"asyncMs": 50}' >/dev/null
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"

# Operations the emulator logged since the last call, and how many wrote.
log_ops() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
reqs = json.load(sys.stdin)["requests"]
print(len(reqs), " ".join(r["operation"] for r in reqs if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}
# The rules that UpdateRule requests since the last log_ops named, as
# LISTENER:RULE (their names in the emulator's state), sorted.
updated_rules() {
  python3 - <(emulator GET /_emulator/requests) <(emulator GET /_emulator/state) <<'PY'
import json, sys
reqs = json.load(open(sys.argv[1]))["requests"]
lattice = json.load(open(sys.argv[2]))["lattice"]
def named(kind, ident):
    return next(x["name"] for x in lattice[kind].values() if ident in (x["id"], x["arn"]))
out = []
for r in reqs:
    if r["operation"] == "UpdateRule":
        # /services/SERVICE/listeners/LISTENER/rules/RULE
        parts = r["path"].split("?")[0].split("/")
        out.append(named("listeners", parts[4]) + ":" + named("rules", parts[6]))
print(" ".join(sorted(out)))
PY
}
# Each rule's path prefix and forward weights, as LISTENER:RULE:PREFIX:WEIGHTS
# lines, sorted.
rule_weights() {
  emulator GET /_emulator/state | python3 -c '
import json, sys
lattice = json.load(sys.stdin)["lattice"]
listeners = {l["id"]: l["name"] for l in lattice["listeners"].values()}
for r in sorted(lattice["rules"].values(), key=lambda r: (listeners[r["listenerId"]], r["name"])):
    if r.get("isDefault"): continue
    prefix = r["match"]["httpMatch"]["pathMatch"]["match"]["prefix"]
    weights = ",".join(str(t["weight"]) for t in r["action"]["forward"]["targetGroups"])
    print("%s:%s:%s:%s" % (listeners[r["listenerId"]], r["name"], prefix, weights))'
}
count_in_state() { # kind name
  emulator GET /_emulator/state | python3 -c '
import json, sys
state = json.load(sys.stdin)
kind, name = sys.argv[1], sys.argv[2]
def walk(v):
    if isinstance(v, dict):
        if v.get("name") == name and kind in json.dumps(v.get("arn", "")):
            yield v
        for x in v.values():
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
print(len({r.get("arn") for r in walk(state["lattice"])}))' "$1" "$2"
}

"$TRELLIS_BIN" plan --repo "$repo" --format json >"$E2E_TMP/plan.json" 2>"$E2E_TMP/err" \
  || fail "plan from empty: $(cat "$E2E_TMP/err")"
python3 - "$E2E_TMP/plan.json" <<'PY' || fail "plan from empty: $(cat "$E2E_TMP/plan.json")"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["summary"] == {"create": 17, "update": 0, "replace": 0, "delete": 0,
                        "no_op": 0, "skipped_delete": 0}, p["summary"]
assert p["api_calls"] <= 15, p["api_calls"]
types = sorted(c["type"] for c in p["resource_changes"])
# Two listeners (HTTP:80, HTTPS:443), each with the route's two rules.
assert types.count("listener") == 2 and types.count("rule") == 4, types
assert types.count("target_group") == 2 and types.count("dns_record") == 1, types
PY
read -r n writes < <(log_ops)
[[ $writes == - ]] || fail "plan wrote: $writes"
ok "plan from empty: 17 creations (the CNAME and both listeners included), $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_calls"])' "$E2E_TMP/plan.json") AWS requests, no write"

out=$("$TRELLIS_BIN" apply --repo "$repo" --dry-run 2>&1) || fail "dry-run: $out"
grep -q '^Dry run: 18 requests not sent; nothing was changed.$' <<<"$out" || fail "dry-run summary: $out"
read -r n writes < <(log_ops)
[[ $writes == - ]] || fail "dry-run wrote: $writes"
ok "apply --dry-run: every step shown, the emulator saw $n requests and no write"

"$TRELLIS_BIN" apply --repo "$repo" --dry-run --format json >"$E2E_TMP/dry.json" 2>"$E2E_TMP/err" \
  || fail "dry-run json: $(cat "$E2E_TMP/err")"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["summary"]["create"] == 17' "$E2E_TMP/dry.json" \
  || fail "apply --format json does not print one JSON document: $(head -c 300 "$E2E_TMP/dry.json")"
grep -q '^dry-run: create service.datastore-apps \.\.\.$' "$E2E_TMP/err" || fail "progress not on stderr: $(cat "$E2E_TMP/err")"
log_ops >/dev/null
ok "apply --dry-run --format json: the plan as JSON on stdout, progress on stderr"

out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply: $out"
grep -q '^Apply complete: 17 done, 0 failed, 0 skipped.$' <<<"$out" || fail "apply summary: $out"
read -r n writes < <(log_ops)
[[ $(wc -w <<<"$writes") == 18 ]] || fail "apply from empty wrote: $writes"
[[ $writes == *" ChangeResourceRecordSets" ]] || fail "the CNAME is not written last, once: $writes"
ok "apply from empty: $writes"

rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "plan after apply exited $rc: $(cat "$E2E_TMP/out")"
grep -q '^No changes.' "$E2E_TMP/out" || fail "plan after apply: $(cat "$E2E_TMP/out")"
log_ops >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "second apply: $out"
read -r n writes < <(log_ops)
[[ $writes == - ]] || fail "second apply wrote: $writes"
ok "after apply: plan says no changes (exit 0 with --detailed-exitcode), a second apply writes nothing"

python3 - "$repo/clusters/cluster-b/route-datastore.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("weight: 50", "weight: 90", 1).replace("weight: 50", "weight: 10", 1)
open(p, "w").write(s)
PY
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "plan of 90/10 exited $rc"
grep -q '^Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy.$' "$E2E_TMP/out" || fail "$(cat "$E2E_TMP/out")"
log_ops >/dev/null
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply 90/10: $(cat "$E2E_TMP/out")"
rules=$(updated_rules)
read -r n writes < <(log_ops)
[[ $writes == "UpdateRule UpdateRule" ]] || fail "90/10 wrote: $writes"
[[ $rules == "datastore-apps-443-https:datastore-apps-r2 datastore-apps-80-http:datastore-apps-r2" ]] \
  || fail "90/10 updated other rules than /summary on each listener: $rules"
weights=$(rule_weights)
[[ $weights == "datastore-apps-443-https:datastore-apps-r1:/popular:1
datastore-apps-443-https:datastore-apps-r2:/summary:90,10
datastore-apps-80-http:datastore-apps-r1:/popular:1
datastore-apps-80-http:datastore-apps-r2:/summary:90,10" ]] || fail "rules after 90/10: $weights"
ok "canary 50/50 -> 90/10: exactly the /summary rule updated, once on each listener (HTTP, HTTPS)"

[[ $(count_in_state service datastore-apps) == 1 ]] || fail "duplicate services"
[[ $(count_in_state targetgroup datastore-v1-svc-apps-cluster-b-datastore-apps) == 1 ]] || fail "duplicate target groups"
ok "no duplicate resources in the emulator's state"

# Rules swapped in the manifest: each rule keeps its place (priority) and
# takes the other's match and action.
python3 - "$repo/clusters/cluster-b/route-datastore.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
a = s.index("    - matches:"); b = s.index("    - matches:", a + 5)
s = s[:a] + s[b:].rstrip("\n") + "\n" + s[a:b]
open(p, "w").write(s)
PY
log_ops >/dev/null
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply of swapped rules: $(cat "$E2E_TMP/out")"
rules=$(updated_rules)
read -r n writes < <(log_ops)
[[ $writes == "UpdateRule UpdateRule UpdateRule UpdateRule" ]] || fail "swapped rules wrote: $writes"
[[ $rules == "datastore-apps-443-https:datastore-apps-r1 datastore-apps-443-https:datastore-apps-r2 datastore-apps-80-http:datastore-apps-r1 datastore-apps-80-http:datastore-apps-r2" ]] \
  || fail "swapped rules updated: $rules"
weights=$(rule_weights)
[[ $weights == "datastore-apps-443-https:datastore-apps-r1:/summary:90,10
datastore-apps-443-https:datastore-apps-r2:/popular:1
datastore-apps-80-http:datastore-apps-r1:/summary:90,10
datastore-apps-80-http:datastore-apps-r2:/popular:1" ]] || fail "rules after the swap: $weights"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary 2>&1) || fail "plan after the swap: $out"
ok "rules swapped: both rules updated on each listener (four UpdateRule), then no changes"

# The route goes, with what names it: its auth policy and the client role.
rm "$repo/clusters/cluster-b/route-datastore.yaml" "$repo/clusters/cluster-b/auth-datastore.yaml" \
  "$repo/clusters/cluster-a/client-role.yaml"
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan without the route: $out"
grep -q 'would be destroyed, but prune is disabled' <<<"$out" || fail "no prune note: $out"
grep -q '^No changes.' <<<"$out" || fail "deletions planned without prune: $out"
log_ops >/dev/null
# 13 deletions (two listeners with two rules each) exceed the examples'
# maxDeletes 10: refused before any write, then allowed for this run.
rc=0; out=$("$TRELLIS_BIN" apply --repo "$repo" --prune 2>&1) || rc=$?
[[ $rc == 1 ]] || fail "apply --prune of 13 deletions under maxDeletes 10 exited $rc: $out"
grep -q 'the plan deletes 13 resources (replacements included), more than maxDeletes 10' <<<"$out" \
  || fail "no maxDeletes refusal: $out"
read -r n writes < <(log_ops)
[[ $writes == - ]] || fail "a refused prune wrote: $writes"
out=$("$TRELLIS_BIN" apply --repo "$repo" --prune --max-deletes 13 2>&1) || fail "apply --prune: $out"
grep -q '^Apply complete: 13 done, 0 failed, 0 skipped.$' <<<"$out" || fail "prune summary: $out"
read -r n writes < <(log_ops)
[[ $writes == "ChangeResourceRecordSets DeleteAuthPolicy DeleteRolePolicy DeleteRole DeleteRule DeleteRule DeleteRule DeleteRule DeleteListener DeleteListener DeleteServiceNetworkServiceAssociation DeleteService DeleteTargetGroup DeleteTargetGroup" ]] \
  || fail "prune order: $writes"
[[ $(count_in_state service datastore-apps) == 0 ]] || fail "service left behind"
[[ $(count_in_state servicenetwork eks-lattice-network) == 1 ]] || fail "network deleted"
ok "route removed: deleted under --prune only, within --max-deletes, children first: $writes"

echo "$pass passed, 0 failed"
