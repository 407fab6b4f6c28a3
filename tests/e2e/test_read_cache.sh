#!/usr/bin/env bash
# The AWS read cache (--cache-dir): a warm no-op plan skips the Gets of
# services, listeners, rules and target groups whose lastUpdatedAt did not
# move; a change made out of band (another tool's UpdateRule) is still
# seen by the next plan; a saved plan made with the cache is still refused
# when AWS changed before apply --plan; a corrupt cache file is a warning
# and changes nothing; an auth policy left behind by a removed
# IAMAuthPolicy is still pruned.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
emulator POST /_emulator/config '{"asyncMs": 0}' >/dev/null
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
cache=$E2E_TMP/cache
call() { node "$here/tools/lattice_call.js" "$@"; }
ops() {
  emulator GET /_emulator/requests | python3 -c '
import collections, json, sys
reqs = json.load(sys.stdin)["requests"]
c = collections.Counter(r["operation"] for r in reqs)
print(" ".join(f"{k}:{v}" for k, v in sorted(c.items())))'
  emulator DELETE /_emulator/requests >/dev/null
}
count() { # OPERATION OPS
  local m
  m=$(grep -o "\b$1:[0-9]*" <<<"$2" || true)
  echo "${m#*:}"
}
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }

out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply: $out"
sleep 2 # a reply is cached once it is 2 s old (TR_READ_CACHE_SETTLE_MS)
emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --detailed-exitcode 2>&1) || fail "cold plan: $out"
cold=$(ops)
[[ -n $(count GetRule "$cold") && -n $(count GetService "$cold") ]] || fail "the cold plan made no Gets: $cold"
ls "$cache"/aws-reads/*.json >/dev/null 2>&1 || fail "no cache file under $cache/aws-reads"
[[ $(stat -c %a "$cache"/aws-reads/*.json) == 600 ]] || fail "the cache file is not private"
out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --detailed-exitcode 2>&1) || fail "warm plan: $out"
warm=$(ops)
for op in GetRule GetListener GetService GetTargetGroup; do
  [[ -z $(count $op "$warm") ]] || fail "the warm plan still made $op: $warm"
done
[[ -n $(count ListRules "$warm") ]] || fail "the warm plan did not list the rules: $warm"
ok "a warm plan makes no Get of an unchanged service, listener, rule or target group ($cold -> $warm)"

# Another tool changes a rule: its lastUpdatedAt moves, the next plan
# reads it and plans it back.
svc=$(call ListServices '{}' | python3 -c '
import json, sys
print([s["id"] for s in json.load(sys.stdin)["items"] if s["name"] == "datastore-apps"][0])')
lst=$(call ListListeners "{\"serviceIdentifier\": \"$svc\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
rule=$(call ListRules "{\"serviceIdentifier\": \"$svc\", \"listenerIdentifier\": \"$lst\"}" | python3 -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin)["items"] if not r.get("isDefault")][0])')
drift() { # PATH
  call UpdateRule "{\"serviceIdentifier\": \"$svc\", \"listenerIdentifier\": \"$lst\", \"ruleIdentifier\": \"$rule\",
    \"match\": {\"httpMatch\": {\"pathMatch\": {\"match\": {\"prefix\": \"$1\"}}}}}" >/dev/null || fail "UpdateRule out of band"
}
drift /changed-by-hand
emulator DELETE /_emulator/requests >/dev/null
rc=0; out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --detailed-exitcode 2>&1) || rc=$?
[[ $rc == 2 ]] || fail "the plan after an out-of-band UpdateRule exited $rc: $out"
grep -q '/changed-by-hand' <<<"$out" || fail "the drift is not shown: $out"
[[ $(count GetRule "$(ops)") == 1 ]] || fail "not exactly the changed rule was read again"
ok "an out-of-band UpdateRule after a cached plan is seen by the next plan (one GetRule)"

# A saved plan made with the cache, then another change before apply
# --plan: the fingerprints still catch it.
"$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --out "$E2E_TMP/p.json" >/dev/null 2>&1 || fail "plan --out"
drift /changed-again
rc=0; out=$("$TRELLIS_BIN" apply --plan "$E2E_TMP/p.json" --cache-dir "$cache" 2>&1) || rc=$?
[[ $rc == 1 ]] && grep -q 'the saved plan is stale' <<<"$out" || fail "a stale plan was not refused (exit $rc): $out"
"$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --out "$E2E_TMP/p2.json" >/dev/null 2>&1 || fail "plan --out again"
out=$("$TRELLIS_BIN" apply --plan "$E2E_TMP/p2.json" --cache-dir "$cache" 2>&1) || fail "apply --plan with the cache: $out"
out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --detailed-exitcode 2>&1) || fail "plan after apply --plan: $out"
ok "apply --plan with the cache: refused when AWS changed since the plan, applied when not"

# A corrupt cache: a warning, every Get made, the same plan.
for f in "$cache"/aws-reads/*.json; do printf '{"format": "trellis-aws-read-cache", "version": 1, "entr' >"$f"; done
emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --detailed-exitcode 2>&1) || fail "plan with a corrupt cache: $out"
grep -q 'warning: the AWS read cache is not used: it is not JSON' <<<"$out" || fail "no warning about the corrupt cache: $out"
[[ -n $(count GetRule "$(ops)") ]] || fail "the corrupt cache was trusted"
sleep 2
"$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" >/dev/null 2>&1 || fail "plan refilling the cache"
out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" --detailed-exitcode 2>&1) || fail "plan after the refill: $out"
grep -q 'warning: the AWS read cache' <<<"$out" && fail "the rewritten cache still warns: $out"
ok "a corrupt cache file is a warning and a full read; it is written anew"

# An IAMAuthPolicy removed without --prune leaves its policy on a service
# that goes back to auth type NONE; with the cache warm, --prune still
# finds and deletes it.
rm "$repo/clusters/cluster-b/auth-datastore.yaml"
out=$("$TRELLIS_BIN" apply --repo "$repo" --cache-dir "$cache" 2>&1) || fail "apply without the policy: $out"
grep -q 'auth_policy.service/datastore-apps would be destroyed, but prune is disabled' <<<"$out" || fail "no prune note: $out"
sleep 2
for _ in 1 2; do
  out=$("$TRELLIS_BIN" plan --repo "$repo" --cache-dir "$cache" 2>&1) || fail "plan: $out"
  grep -q 'auth_policy.service/datastore-apps would be destroyed, but prune is disabled' <<<"$out" \
    || fail "the left-behind policy is no longer seen: $out"
done
emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" --cache-dir "$cache" --prune 2>&1) || fail "apply --prune: $out"
[[ $(count DeleteAuthPolicy "$(ops)") == 1 ]] || fail "the policy was not pruned: $out"
ok "an auth policy left behind on an auth type NONE service is still pruned with the cache"
echo "$passed passed, 0 failed"
