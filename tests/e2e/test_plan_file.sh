#!/usr/bin/env bash
# Saved plans against the emulator (docs/plan-file.md): `plan --out` records
# the source, the config, the account and a fingerprint of everything the
# actions depend on; `apply --plan` applies exactly that without the
# repository, and refuses a stale plan (exit 1, zero writes) naming each
# resource that moved and how. Also --report, --log-format json and
# --allow-delete-all.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
emulator POST /_emulator/config '{"asyncMs": 20}' >/dev/null
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
route=$repo/clusters/cluster-b/route-datastore.yaml

writes() { # mutating operations since the last call
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(" ".join(r["operation"] for r in json.load(sys.stdin)["requests"] if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}
weights() { # A B: the canary's two weights
  python3 - "$route" "$1" "$2" <<'PY'
import re, sys
p, a, b = sys.argv[1:]
s = open(p).read()
ws = iter([a, b])
s = re.sub(r"weight: \d+", lambda m: "weight: " + next(ws), s, count=2)
open(p, "w").write(s)
PY
}

# 1. A saved plan from an empty account.
"$TRELLIS_BIN" plan --repo "$repo" --out "$E2E_TMP/p1.json" --summary >"$E2E_TMP/out" 2>&1 \
  || fail "plan --out: $(cat "$E2E_TMP/out")"
grep -q "plan saved to $E2E_TMP/p1.json" "$E2E_TMP/out" || fail "no saved note: $(cat "$E2E_TMP/out")"
[[ ! -e $E2E_TMP/p1.json.tmp ]] || fail "temporary file left behind"
python3 - "$E2E_TMP/p1.json" "$repo/trellis.yaml" "$AWS_SECRET_ACCESS_KEY" <<'PY' || fail "plan file content"
import hashlib, json, sys
path, cfg, secret = sys.argv[1:]
raw = open(path).read()
assert secret not in raw, "the secret key is in the plan file"
p = json.loads(raw)
assert p["format"] == "trellis-plan" and p["format_version"] == 1, p["format"]
assert p["trellis_version"], p
assert p["target"] == {"account": "123456789012", "region": "us-west-2", "owner": "platform-demo"}, p["target"]
text = open(cfg).read()
assert p["config"]["text"] == text
assert p["config"]["digest"] == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
creates = [c for c in p["changes"] if c["action"] == "create"]
assert p["summary"]["create"] == len(creates) >= 10, p["summary"]
assert len(creates) == len(p["changes"]), "an empty account: only creations"
obs = {o["address"]: o for o in p["observed"]}
for c in creates:
    assert c["depends_on"][0] == c["address"], c
    assert c["after"]["tags"]["trellis/owner"] == "platform-demo"
    for d in c["depends_on"]:
        assert obs[d]["fingerprint"] == "absent" and obs[d]["resource"] is None, obs[d]
listener = next(c for c in creates if c["type"] == "listener")
assert "service.datastore-apps" in listener["depends_on"], listener
PY
[[ $(writes) == - ]] || fail "plan --out wrote"
cp "$E2E_TMP/p1.json" "$E2E_TMP/p1-again.json"
creates=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["create"])' "$E2E_TMP/p1.json")
ok "plan --out: version, source, config and digest, account, actions, absent fingerprints, no secret"

# 2. Applied without the repository, with a report and JSON progress.
mv "$repo" "$repo.away"
"$TRELLIS_BIN" apply --plan "$E2E_TMP/p1.json" --report "$E2E_TMP/r1.json" --log-format json \
  >"$E2E_TMP/out" 2>"$E2E_TMP/err" || fail "apply --plan: $(cat "$E2E_TMP/out" "$E2E_TMP/err")"
mv "$repo.away" "$repo"
w=$(writes)
[[ $(wc -w <<<"$w") -ge $creates ]] || fail "apply --plan wrote: $w"
python3 - "$E2E_TMP/out" "$E2E_TMP/r1.json" "$E2E_TMP/p1-again.json" <<'PY' || fail "progress or report: $(cat "$E2E_TMP/out")"
import json, sys
planned = {c["address"] for c in json.load(open(sys.argv[3]))["changes"]}
events = []
for line in open(sys.argv[1]):
    if line.startswith("{"):
        events.append(json.loads(line))
    else:
        assert not line.strip() or not line.startswith(("create", "update", "delete")), line
starts = [e for e in events if e.get("event") == "start"]
ends = [e for e in events if e.get("event") == "end"]
assert {e["address"] for e in starts} == planned, (starts, planned)
assert len(starts) == len(planned) and len(ends) == len(planned), (len(starts), len(ends))
assert all(e["status"] == "done" and e["duration_ms"] >= 0 for e in ends), ends
assert all(e["id"] for e in ends if e["step"] == "create"), ends
assert events[-1]["event"] == "applied" and events[-1]["done"] == len(planned), events[-1]
r = json.load(open(sys.argv[2]))
assert r["mode"] == "plan-file" and r["exit_status"] == 0 and r["applied"] is True, r
assert r["counts"] == {"done": len(planned), "failed": 0, "skipped": 0, "not_sent": 0}, r["counts"]
assert len(r["actions"]) == len(planned) and all(a["status"] == "done" and a["error"] is None for a in r["actions"])
assert all(a["duration_ms"] >= 0 and a["started_ms"] >= 0 for a in r["actions"])
assert r["errors"] == [], r["errors"]
PY
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "plan after apply --plan exited $rc: $(cat "$E2E_TMP/out")"
writes >/dev/null
ok "apply --plan: the $creates saved creations without the repository, then no changes; JSON progress, one object per line; report"

# 3. The same plan again is stale: everything it expected absent exists.
rc=0; "$TRELLIS_BIN" apply --plan "$E2E_TMP/p1-again.json" --report "$E2E_TMP/r2.json" \
  >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "stale plan exited $rc: $(cat "$E2E_TMP/out")"
[[ $(writes) == - ]] || fail "stale plan wrote"
[[ $(grep -c 'absent when the plan was made, now exists (id ' "$E2E_TMP/out") == "$creates" ]] \
  || fail "stale resources not each named: $(cat "$E2E_TMP/out")"
grep -q 'error: service.datastore-apps: absent when the plan was made, now exists (id svc-' "$E2E_TMP/out" \
  || fail "service not named: $(cat "$E2E_TMP/out")"
grep -q 'the saved plan is stale' "$E2E_TMP/out" || fail "$(cat "$E2E_TMP/out")"
python3 - "$E2E_TMP/r2.json" "$creates" <<'PY' || fail "report of a refused plan"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["exit_status"] == 1 and r["applied"] is False and r["actions"] == [], r
assert sum(e["rule"] == "plan.stale" for e in r["errors"]) == int(sys.argv[2]) + 1, r["errors"]
PY
ok "a stale plan (created since): exit 1, zero writes, each resource named; the report says why"

# 4. An update saved, then applied: exactly the rule update, the /summary
# rule on each of the two listeners (HTTP and HTTPS).
weights 90 10
"$TRELLIS_BIN" plan --repo "$repo" --out "$E2E_TMP/p2.json" --summary >"$E2E_TMP/out" 2>&1 \
  || fail "plan 90/10: $(cat "$E2E_TMP/out")"
grep -q '^Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy.$' "$E2E_TMP/out" || fail "$(cat "$E2E_TMP/out")"
python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
updates = sorted(c["address"] for c in p["changes"] if c["action"] != "no-op")
assert updates == ["rule.datastore-apps/http-80/2", "rule.datastore-apps/https-443/2"], updates' "$E2E_TMP/p2.json" \
  || fail "the saved 90/10 plan changes more than the /summary rules"
cp "$E2E_TMP/p2.json" "$E2E_TMP/p2-dry.json"
out=$("$TRELLIS_BIN" apply --plan "$E2E_TMP/p2-dry.json" --dry-run 2>&1) || fail "dry-run of a saved plan: $out"
[[ $(writes) == - ]] || fail "dry-run of a saved plan wrote"
"$TRELLIS_BIN" apply --plan "$E2E_TMP/p2.json" >"$E2E_TMP/out" 2>&1 || fail "apply p2: $(cat "$E2E_TMP/out")"
w=$(writes)
[[ $w == "UpdateRule UpdateRule" || $w == "BatchUpdateRule BatchUpdateRule" ]] || fail "p2 wrote: $w"
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "plan after p2 exited $rc: $(cat "$E2E_TMP/out")"
ok "a saved update: dry-run writes nothing, apply --plan makes exactly $w, then no changes"

# 5. Stale by an update made since: the rule is named with what moved.
weights 50 50
"$TRELLIS_BIN" plan --repo "$repo" --out "$E2E_TMP/p3.json" >/dev/null 2>&1 || fail "plan p3"
weights 70 30
"$TRELLIS_BIN" apply --repo "$repo" >/dev/null 2>&1 || fail "apply 70/30"
writes >/dev/null
rc=0; "$TRELLIS_BIN" apply --plan "$E2E_TMP/p3.json" >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "stale update exited $rc"
[[ $(writes) == - ]] || fail "stale update wrote"
for l in http-80 https-443; do
  grep -q "error: rule.datastore-apps/$l/2: changed since the plan was made: attributes action \[plan.stale\]" \
    "$E2E_TMP/out" || fail "moved rule on $l not named: $(cat "$E2E_TMP/out")"
done
# The two moved rules and the closing line, nothing else.
[[ $(grep -c '\[plan.stale\]' "$E2E_TMP/out") == 3 ]] || fail "more than the rules named: $(cat "$E2E_TMP/out")"
ok "a stale plan (updated since): exit 1, zero writes, the rule named on each listener with the attribute that moved"

# 5b. Rule priorities that collide: set by annotation, then swapped. One
# UpdateRule after the other would collide on the listener; BatchUpdateRule
# checks priorities after the whole batch. One batch per listener (HTTP,
# HTTPS): a batch holds the rules of one listener.
priorities() { # FIRST SECOND
  python3 - "$route" "$1" "$2" <<'PY'
import re, sys
p, a, b = sys.argv[1:]
s = open(p).read()
s = re.sub(r"\n  annotations:\n(    .*\n)*", "\n", s)
s = s.replace("  namespace: apps\n", "  namespace: apps\n  annotations:\n"
              f"    application-networking.k8s.aws/rule-0-priority: \"{a}\"\n"
              f"    application-networking.k8s.aws/rule-1-priority: \"{b}\"\n", 1)
open(p, "w").write(s)
PY
}
rule_priorities() { # LISTENER:RULE=PRIORITY, sorted
  emulator GET /_emulator/state | python3 -c '
import json, sys
lattice = json.load(sys.stdin)["lattice"]
listeners = {l["id"]: l["name"] for l in lattice["listeners"].values()}
print(" ".join(sorted("%s:%s=%s" % (listeners[r["listenerId"]], r["name"], r["priority"])
                      for r in lattice["rules"].values() if not r.get("isDefault"))))'
}
priorities 2 1
"$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || fail "apply of swapped priorities: $(cat "$E2E_TMP/out")"
w=$(writes)
[[ $w == "BatchUpdateRule BatchUpdateRule" ]] || fail "priorities 1,2 -> 2,1 wrote: $w ($(cat "$E2E_TMP/out"))"
[[ $(rule_priorities) == "datastore-apps-443-https:datastore-apps-r1=2 datastore-apps-443-https:datastore-apps-r2=1 datastore-apps-80-http:datastore-apps-r1=2 datastore-apps-80-http:datastore-apps-r2=1" ]] \
  || fail "priorities: $(rule_priorities)"
priorities 1 2
"$TRELLIS_BIN" apply --repo "$repo" --report "$E2E_TMP/r3.json" >"$E2E_TMP/out" 2>&1 || fail "swap back: $(cat "$E2E_TMP/out")"
w=$(writes)
[[ $w == "BatchUpdateRule BatchUpdateRule" ]] || fail "swap back wrote: $w"
[[ $(rule_priorities) == "datastore-apps-443-https:datastore-apps-r1=1 datastore-apps-443-https:datastore-apps-r2=2 datastore-apps-80-http:datastore-apps-r1=1 datastore-apps-80-http:datastore-apps-r2=2" ]] \
  || fail "priorities: $(rule_priorities)"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [a["status"] for a in r["actions"]] == ["done"] * 4, r["actions"]' "$E2E_TMP/r3.json" \
  || fail "report of the batch: $(cat "$E2E_TMP/r3.json")"
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "plan after the swap exited $rc: $(cat "$E2E_TMP/out")"
writes >/dev/null
ok "rule priorities swapped (1,2 -> 2,1 -> 1,2): one BatchUpdateRule per listener each time, no conflict, then no changes"

# 6. A plan file edited by hand is refused before any AWS call.
edit() { # NAME PYTHON-STATEMENT (p is the plan)
  python3 - "$E2E_TMP/p3.json" "$E2E_TMP/$1.json" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(p, open(sys.argv[2], "w"))
PY
}
edit fp 'next(o for o in p["observed"] if o["fingerprint"] != "absent")["resource"]["attributes"]["priority"] = 7'
edit cfg 'p["config"]["text"] = p["config"]["text"].replace("maxDeletes: 10", "maxDeletes: 99")'
edit dep 'p["observed"] = [o for o in p["observed"] if o["address"] != "service.datastore-apps"]'
edit more 'next(c for c in p["changes"] if c["action"] == "update")["depends_on"].append("service.elsewhere")'
edit own 'next(c for c in p["changes"] if c["action"] == "update")["depends_on"].pop(0)'
edit act 'p["changes"][0]["action"] = "destroy"'
edit kind 'p["changes"][0]["type"] = "lambda"'
for case in "fp:does not match the resource recorded with it" \
            "cfg:config: the digest does not match the config text" \
            "dep:\"service.datastore-apps\" has no entry in observed[]" \
            "more:must list the change's own address, then every resource" \
            "own:an action depends on its own address first" \
            "act:\"destroy\" is not an action" \
            "kind:\"lambda\" is not a resource type of this trellis"; do
  name=${case%%:*} want=${case#*:}
  rc=0; "$TRELLIS_BIN" apply --plan "$E2E_TMP/$name.json" >"$E2E_TMP/out" 2>&1 || rc=$?
  [[ $rc == 1 ]] || fail "edited plan ($name) exited $rc"
  grep -qF -- "$want" "$E2E_TMP/out" || fail "edited plan ($name): $(cat "$E2E_TMP/out")"
  grep -q "$name.json: error: " "$E2E_TMP/out" || fail "edited plan ($name) not named: $(cat "$E2E_TMP/out")"
  ! grep -q 'applying as' "$E2E_TMP/out" || fail "edited plan ($name) reached AWS"
done
[[ $(writes) == - ]] || fail "an edited plan wrote"
ok "edited plan files (fingerprint, config, dependencies, action, type): refused, file and field named, no AWS call"

# 7. Deleting everything owned is refused unless --allow-delete-all.
for c in cluster-a cluster-b; do
  rm -f "$repo/clusters/$c"/*.yaml
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: placeholder\n' >"$repo/clusters/$c/cm.yaml"
done
rc=0; "$TRELLIS_BIN" plan --repo "$repo" --prune --max-deletes 100 >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "delete-all plan exited $rc: $(cat "$E2E_TMP/out")"
grep -q "the plan deletes every resource this owner has ($creates) and keeps none.*\[plan.delete-all\]" "$E2E_TMP/out" \
  || fail "delete-all not refused: $(cat "$E2E_TMP/out")"
rc=0; "$TRELLIS_BIN" apply --repo "$repo" --prune --max-deletes 100 >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "delete-all apply exited $rc"
[[ $(writes) == - ]] || fail "refused delete-all wrote"
"$TRELLIS_BIN" plan --repo "$repo" --prune --max-deletes 100 --allow-delete-all --summary >"$E2E_TMP/out" 2>&1 \
  || fail "--allow-delete-all: $(cat "$E2E_TMP/out")"
grep -q "^Plan: 0 to add, 0 to change, 0 to replace, $creates to destroy.$" "$E2E_TMP/out" || fail "$(cat "$E2E_TMP/out")"
ok "a plan deleting every owned resource: refused (plan and apply), allowed with --allow-delete-all"

echo "$pass passed, 0 failed"
