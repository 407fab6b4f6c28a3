#!/usr/bin/env bash
# Ownership against the emulator: a resource with a declared name and no
# owner tag is a plan error until --adopt takes it over; one owned by
# someone else is an error even with --adopt, and nothing of it changes.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
repo=$TRELLIS_SOURCE_DIR/examples
emulator POST /_emulator/seed '{"resources": [
  {"type": "serviceNetwork", "name": "eks-lattice-network"},
  {"type": "service", "name": "datastore-apps", "tags": {"trellis/owner": "other-team"}}
]}' >/dev/null

rc=0; "$TRELLIS_BIN" plan --repo "$repo" >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "plan with an untagged network exited $rc"
grep -q 'VPC Lattice service network "eks-lattice-network" (sn-[0-9a-f]*) already exists in AWS without the trellis/owner tag; run with --adopt' "$E2E_TMP/out" \
  || fail "no unowned error: $(cat "$E2E_TMP/out")"
grep -q 'VPC Lattice service "datastore-apps" (svc-[0-9a-f]*) already exists in AWS and is owned by "other-team"' "$E2E_TMP/out" \
  || fail "no foreign-owner error: $(cat "$E2E_TMP/out")"
echo "ok: plan refuses an untagged and a foreign resource, naming both"

emulator DELETE /_emulator/requests >/dev/null
rc=0; "$TRELLIS_BIN" apply --repo "$repo" --adopt >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "apply --adopt with a foreign service exited $rc"
grep -q 'owned by "other-team"' "$E2E_TMP/out" || fail "$(cat "$E2E_TMP/out")"
writes=$(emulator GET /_emulator/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if r["mutating"]))')
[[ $writes == 0 ]] || fail "apply wrote $writes times despite the plan error"
echo "ok: --adopt never takes another owner's resource; the plan error stops apply before any write"

# Without the foreign service, --adopt tags the untagged network and goes on.
owner=$(emulator GET /_emulator/state | python3 -c '
import json, sys
for v in json.load(sys.stdin)["lattice"]["services"].values():
    if v.get("name") == "datastore-apps": print((v.get("tags") or {}).get("trellis/owner"))')
[[ $owner == other-team ]] || fail "the foreign service changed: owner $owner"
emulator POST /_emulator/reset >/dev/null
seed_examples
emulator POST /_emulator/seed '{"type": "serviceNetwork", "name": "eks-lattice-network"}' >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" --adopt 2>&1) || fail "apply --adopt: $out"
grep -q 'adopted: the trellis/owner tag is added' <<<"$out" || fail "no adoption shown: $out"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --summary 2>&1) || fail "plan after adopting: $out"
echo "ok: --adopt takes over the untagged network; the next plan has no changes"

# The owner's tags come in bulk (tagging GetResources): everything here is
# ours, so no resource is asked for its tags on its own.
ops() {
  emulator GET /_emulator/requests | python3 -c '
import collections, json, sys
c = collections.Counter(r["operation"] for r in json.load(sys.stdin)["requests"])
print(" ".join(f"{k}:{v}" for k, v in sorted(c.items())))'
  emulator DELETE /_emulator/requests >/dev/null
}
emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan: $out"
o=$(ops)
[[ $o == *GetResources:1* && $o != *ListTagsForResource* ]] || fail "owned tags not read in bulk: $o"
# Without the bulk read (refused, failing): a warning, and the same plan
# from one tag read per resource.
emulator POST /_emulator/faults '{"failNext": {"GetResources": {"count": 3, "fault": "error5xx"}}}' >/dev/null
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan without the bulk read: $out"
grep -q "warning: reading the owner's tags in bulk failed (.*GetResources.*); tags are read one resource at a time instead. Allow tag:GetResources" <<<"$out" \
  || fail "no warning about the bulk read: $out"
grep -q 'No changes' <<<"$out" || fail "the plan changed without the bulk read: $out"
o=$(ops)
[[ $o == *ListTagsForResource:* ]] || fail "no per-resource tag reads: $o"
emulator POST /_emulator/faults '{}' >/dev/null
echo "ok: the owner's tags are read in bulk; without that call, one read each and the same plan"
echo "4 passed, 0 failed"
