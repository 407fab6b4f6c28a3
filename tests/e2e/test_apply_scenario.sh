#!/usr/bin/env bash
# The main job end to end against the emulator, on the article's scenario
# (examples/): plan from empty, dry-run (reads only), apply, plan again (no
# changes), a second apply (no writes), the canary moved to 90/10 (exactly
# one rule update), and the route removed (deletions only under --prune).
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
assert p["summary"] == {"create": 14, "update": 0, "replace": 0, "delete": 0,
                        "no_op": 0, "skipped_delete": 0}, p["summary"]
assert p["api_calls"] <= 15, p["api_calls"]
types = sorted(c["type"] for c in p["resource_changes"])
assert types.count("rule") == 2 and types.count("target_group") == 2, types
assert types.count("dns_record") == 1, types
PY
read -r n writes < <(log_ops)
[[ $writes == - ]] || fail "plan wrote: $writes"
ok "plan from empty: 14 creations (the CNAME included), $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_calls"])' "$E2E_TMP/plan.json") AWS requests, no write"

out=$("$TRELLIS_BIN" apply --repo "$repo" --dry-run 2>&1) || fail "dry-run: $out"
grep -q '^Dry run: 15 requests not sent; nothing was changed.$' <<<"$out" || fail "dry-run summary: $out"
read -r n writes < <(log_ops)
[[ $writes == - ]] || fail "dry-run wrote: $writes"
ok "apply --dry-run: every step shown, the emulator saw $n requests and no write"

"$TRELLIS_BIN" apply --repo "$repo" --dry-run --format json >"$E2E_TMP/dry.json" 2>"$E2E_TMP/err" \
  || fail "dry-run json: $(cat "$E2E_TMP/err")"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["summary"]["create"] == 14' "$E2E_TMP/dry.json" \
  || fail "apply --format json does not print one JSON document: $(head -c 300 "$E2E_TMP/dry.json")"
grep -q '^dry-run: create service.datastore-apps \.\.\.$' "$E2E_TMP/err" || fail "progress not on stderr: $(cat "$E2E_TMP/err")"
log_ops >/dev/null
ok "apply --dry-run --format json: the plan as JSON on stdout, progress on stderr"

out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply: $out"
grep -q '^Apply complete: 14 done, 0 failed, 0 skipped.$' <<<"$out" || fail "apply summary: $out"
read -r n writes < <(log_ops)
[[ $(wc -w <<<"$writes") == 15 ]] || fail "apply from empty wrote: $writes"
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
grep -q '^Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.$' "$E2E_TMP/out" || fail "$(cat "$E2E_TMP/out")"
log_ops >/dev/null
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply 90/10: $(cat "$E2E_TMP/out")"
read -r n writes < <(log_ops)
[[ $writes == UpdateRule ]] || fail "90/10 wrote: $writes"
ok "canary 50/50 -> 90/10: exactly one UpdateRule"

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
read -r n writes < <(log_ops)
[[ $writes == "UpdateRule UpdateRule" ]] || fail "swapped rules wrote: $writes"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary 2>&1) || fail "plan after the swap: $out"
ok "rules swapped: two UpdateRule, then no changes"

# The route goes, with what names it: its auth policy and the client role.
rm "$repo/clusters/cluster-b/route-datastore.yaml" "$repo/clusters/cluster-b/auth-datastore.yaml" \
  "$repo/clusters/cluster-a/client-role.yaml"
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan without the route: $out"
grep -q 'would be destroyed, but prune is disabled' <<<"$out" || fail "no prune note: $out"
grep -q '^No changes.' <<<"$out" || fail "deletions planned without prune: $out"
log_ops >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" --prune 2>&1) || fail "apply --prune: $out"
grep -q '^Apply complete: 10 done, 0 failed, 0 skipped.$' <<<"$out" || fail "prune summary: $out"
read -r n writes < <(log_ops)
[[ $writes == "ChangeResourceRecordSets DeleteAuthPolicy DeleteRolePolicy DeleteRole DeleteRule DeleteRule DeleteListener DeleteServiceNetworkServiceAssociation DeleteService DeleteTargetGroup DeleteTargetGroup" ]] \
  || fail "prune order: $writes"
[[ $(count_in_state service datastore-apps) == 0 ]] || fail "service left behind"
[[ $(count_in_state servicenetwork eks-lattice-network) == 1 ]] || fail "network deleted"
ok "route removed: deleted under --prune only, children first: $writes"

echo "$pass passed, 0 failed"
