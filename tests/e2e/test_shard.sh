#!/usr/bin/env bash
# --shard INDEX/COUNT against the emulator, on the article's scenario plus
# five more routes (examples/ and clusters/cluster-b/more-routes.yaml):
# shards 0, 1 and 2 of 3, applied one after the other, make exactly the
# state one unsharded apply makes (the emulator's whole state with ids,
# ARNs and times taken out), with no duplicate; each shard's plan holds
# only its own services (an independent FNV-1a here) and the three plans
# are disjoint and cover the unsharded plan; a second round sends no
# write; a route removed with --prune is deleted only by its shard, the
# others delete nothing; a shard whose shared parents do not exist yet
# leaves out what needs them, naming shard 0, and fails; the next round
# finishes.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
# Route -> shard of 3 (FNV-1a of "service.<route>-apps"): catalog 1,
# orders 0, users 2, inventory 2, shipping 0; datastore (examples) 1.
more=$repo/clusters/cluster-b/more-routes.yaml
: >"$more"
for r in catalog orders users inventory shipping; do
  cat >>"$more" <<EOF
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: $r
  namespace: apps
spec:
  hostnames:
    - $r.lattice.io
  parentRefs:
    - name: eks-lattice-network
      namespace: default
      sectionName: http
  rules:
    - backendRefs:
        - name: $r-svc
          kind: Service
          port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: $r-svc
  namespace: apps
spec:
  selector:
    app: $r
  ports:
    - port: 80
      targetPort: 8080
EOF
done

log_writes() { # the mutating operations since the last call, or -
  emulator GET /_emulator/requests | python3 -c '
import json, sys
reqs = json.load(sys.stdin)["requests"]
print(" ".join(r["operation"] for r in reqs if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}
# The account's content without what AWS makes up per object (as in
# test_apply_concurrent.sh): one sorted line per object.

# The account's content without what AWS makes up per object, and the
# objects made twice (tests/e2e/tools/account_state.py).
world() { emulator GET /_emulator/state | python3 "$TRELLIS_SOURCE_DIR/tests/e2e/tools/account_state.py" world; }
duplicates() { emulator GET /_emulator/state | python3 "$TRELLIS_SOURCE_DIR/tests/e2e/tools/account_state.py" duplicates; }
fresh() {
  emulator POST /_emulator/reset >/dev/null
  seed_examples
  emulator POST /_emulator/config '{"asyncMs": 20}' >/dev/null
  emulator DELETE /_emulator/requests >/dev/null
}

# The reference: the unsharded plan from empty, then one apply.
fresh
"$TRELLIS_BIN" plan --repo "$repo" --format json >"$E2E_TMP/whole.json" 2>"$E2E_TMP/err" \
  || fail "unsharded plan: $(cat "$E2E_TMP/err")"
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "unsharded apply: $(tail -20 "$E2E_TMP/out")"
world >"$E2E_TMP/one"
[[ $(wc -l <"$E2E_TMP/one") -ge 40 ]] || fail "the reference state is too small: $(wc -l <"$E2E_TMP/one")"
ok "reference: one unsharded apply makes $(wc -l <"$E2E_TMP/one") objects"

# Shard 1 first, from empty: the service network is shard 0's. Shard 1
# makes what it can and leaves out what needs the network, naming shard 0.
fresh
rc=0; "$TRELLIS_BIN" apply --repo "$repo" --shard 1/3 >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "shard 1 before shard 0 exited $rc: $(tail -20 "$E2E_TMP/out")"
grep -q 'needs service_network.eks-lattice-network, owned by shard 0/3, not created yet: left out of this run' "$E2E_TMP/out" \
  || fail "shard 1 before shard 0 does not name shard 0: $(tail -20 "$E2E_TMP/out")"
grep -q '\[shard.dependency\]' "$E2E_TMP/out" || fail "no rule name: $(tail -20 "$E2E_TMP/out")"
grep -q '^trellis-summary: command=apply result=failed .* shard=1/3 configs=1$' "$E2E_TMP/out" \
  || fail "summary line without the shard: $(tail -1 "$E2E_TMP/out")"
w=$(log_writes)
[[ " $w " == *" CreateService "* ]] || fail "shard 1 did not go ahead with its services: $w"
[[ " $w " != *" CreateServiceNetwork"* ]] || fail "shard 1 touched the service network or associated with it: $w"
for i in 0 1 2; do
  "$TRELLIS_BIN" apply --repo "$repo" --shard "$i/3" >"$E2E_TMP/out" 2>&1 || fail "apply --shard $i/3 after shard 1 went first: $(tail -20 "$E2E_TMP/out")"
done
world >"$E2E_TMP/late"
diff "$E2E_TMP/one" "$E2E_TMP/late" >"$E2E_TMP/diff" || fail "shard 1 first, then 0, 1, 2: not the state of one apply: $(head -40 "$E2E_TMP/diff")"
log_writes >/dev/null
ok "shard 1/3 before shard 0: its services made, the associations left out naming shard 0 (exit 1); shards 0, 1, 2 then finish the state of one apply"

# Shards 0, 1, 2 one after the other, from empty.
fresh
for i in 0 1 2; do
  "$TRELLIS_BIN" apply --repo "$repo" --shard "$i/3" --format json --report "$E2E_TMP/report$i.json" \
    >"$E2E_TMP/shard$i.json" 2>"$E2E_TMP/err$i" || fail "apply --shard $i/3: $(tail -20 "$E2E_TMP/err$i")"
  grep -q "^trellis: applying as .*, shard $i/3)$" "$E2E_TMP/err$i" || fail "shard $i: no shard in the banner: $(head -3 "$E2E_TMP/err$i")"
  echo "$(log_writes)" >"$E2E_TMP/writes$i"
done
python3 - "$E2E_TMP" <<'PY' || fail "the shards' plans are not a partition of the unsharded plan (above)"
import json, sys
d = sys.argv[1]
def fnv(s):
    h = 14695981039346656037
    for c in s.encode():
        h = ((h ^ c) * 1099511628211) % 2**64
    return h
whole = {c["address"] for c in json.load(open(d + "/whole.json"))["resource_changes"]
         if c["actions"] != ["no-op"]}
seen = {}
for i in range(3):
    p = json.load(open(f"{d}/shard{i}.json"))
    assert p["shard"] == {"index": i, "count": 3}, p.get("shard")
    r = json.load(open(f"{d}/report{i}.json"))
    assert r["shard"] == {"index": i, "count": 3}, r.get("shard")
    assert r["counts"]["failed"] == 0 and r["counts"]["skipped"] == 0, r["counts"]
    mine = {c["address"] for c in p["resource_changes"] if c["actions"] != ["no-op"]}
    assert mine, f"shard {i} has nothing to do"
    for a in mine:
        assert a not in seen, f"{a} is in shards {seen[a]} and {i}"
        seen[a] = i
        if a.startswith("service."):
            assert fnv(a) % 3 == i, f"{a} hashes to {fnv(a) % 3}, planned by shard {i}"
        if a.startswith(("service_network.", "sn_vpc_association.")):
            assert i == 0, f"shared {a} planned by shard {i}"
        if a.startswith(("listener.", "rule.", "sn_service_association.", "auth_policy.service/")):
            svc = "service." + a.split(".", 1)[1].split("/")[0 if not a.startswith("auth_policy") else 1]
            assert seen.get(svc, i) == i and fnv(svc) % 3 == i, f"{a} is not with {svc}"
missing, extra = whole - set(seen), set(seen) - whole
assert not missing and not extra, f"missing {sorted(missing)}, extra {sorted(extra)}"
print("shards:", {i: sum(1 for v in seen.values() if v == i) for i in range(3)}, "of", len(whole))
PY
d=$(duplicates); [[ -z $d ]] || fail "duplicates after the shards: $d"
world >"$E2E_TMP/three"
diff "$E2E_TMP/one" "$E2E_TMP/three" >"$E2E_TMP/diff" || fail "shards 0..2 differ from one apply: $(head -40 "$E2E_TMP/diff")"
ok "shards 0, 1, 2 of 3: disjoint plans covering the unsharded one, each service in its FNV-1a shard, the state of one apply, no duplicate"

# A second round: nothing to do, nothing written.
for i in 0 1 2; do
  rc=0; "$TRELLIS_BIN" plan --repo "$repo" --shard "$i/3" --detailed-exitcode >"$E2E_TMP/out" 2>&1 || rc=$?
  [[ $rc == 0 ]] || fail "plan --shard $i/3 after the round exited $rc: $(tail -20 "$E2E_TMP/out")"
  grep -q "^Shard $i/3: only the resources of this shard" "$E2E_TMP/out" || fail "the plan does not say which shard: $(head -3 "$E2E_TMP/out")"
  "$TRELLIS_BIN" apply --repo "$repo" --shard "$i/3" >"$E2E_TMP/out" 2>&1 || fail "second apply --shard $i/3: $(tail -20 "$E2E_TMP/out")"
done
w=$(log_writes); [[ $w == - ]] || fail "the second round wrote: $w"
ok "second round: every shard plans no change and applies without a write"

# The users route (shard 2) removed, with --prune.
python3 - "$more" <<'PY'
import sys
docs = open(sys.argv[1]).read().split("---\n")
open(sys.argv[1], "w").write("---\n".join(d for d in docs if "name: users" not in d and "name: users-svc" not in d))
PY
grep -q users "$more" && fail "the users route is still in the repository"
for i in 0 1; do
  "$TRELLIS_BIN" apply --repo "$repo" --shard "$i/3" --prune >"$E2E_TMP/out" 2>&1 || fail "prune --shard $i/3: $(tail -20 "$E2E_TMP/out")"
  w=$(log_writes); [[ $w == - ]] || fail "shard $i deleted what is shard 2's: $w"
done
"$TRELLIS_BIN" apply --repo "$repo" --shard 2/3 --prune >"$E2E_TMP/out" 2>&1 || fail "prune --shard 2/3: $(tail -20 "$E2E_TMP/out")"
w=$(log_writes)
for op in DeleteService DeleteListener DeleteTargetGroup DeleteServiceNetworkServiceAssociation ChangeResourceRecordSets; do
  [[ " $w " == *" $op "* ]] || fail "shard 2 did not $op: $w"
done
[[ " $w " != *" Create"* ]] || fail "shard 2 created while pruning: $w"
grep -q 'delete service.users-apps' "$E2E_TMP/out" || fail "shard 2 did not delete service.users-apps: $(tail -30 "$E2E_TMP/out")"
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --prune --detailed-exitcode >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "unsharded plan after the sharded prune exited $rc: $(tail -20 "$E2E_TMP/out")"
left=$(emulator GET /_emulator/state | python3 -c '
import json, sys
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from walk(x, path + "/" + k)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x, path)
    elif isinstance(v, str) and "users" in v:
        yield path + "=" + v
state = json.load(sys.stdin)
print(" ".join(sorted({h for svc in ("lattice", "iam", "route53")
                        for kind, objs in (state.get(svc) or {}).items() if kind != "changes"
                        for h in walk(objs, svc + "/" + kind)})))')
[[ -z $left ]] || fail "the users route left objects in the account: $left"
ok "--prune: shards 0 and 1 delete nothing, shard 2 deletes the users route's resources ($w); nothing left to do"

echo "$pass passed, 0 failed"
