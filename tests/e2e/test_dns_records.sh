#!/usr/bin/env bash
# Route 53 records of custom domains against the emulator (examples/:
# datastore.lattice.io in the private zone of trellis.yaml): from empty the
# CNAME and its ownership TXT go in one change batch, waited to INSYNC; a
# second run changes nothing and reads the zone once (or, past a 300-record
# first page, looks the names up on their own); a CNAME trellis does not own is a plan error
# and stays as it is; a replaced service's CNAME follows in the same apply;
# prune deletes only what is ours.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
repo=$E2E_TMP/repo
mkdir -p "$repo"
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
zone=Z0123456789ABCDEFGHIJ

# r53 [mutating]: the Route 53 operations logged, one per line.
r53() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
for r in json.load(sys.stdin)["requests"]:
    if r["service"] == "route53" and (len(sys.argv) < 2 or r["mutating"]):
        print(r["operation"], r["status"])' "$@"
}
writes() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if r["mutating"]))'
}
# records: "NAME TYPE VALUE" for every record set of the zone but SOA/NS.
records() {
  emulator GET /_emulator/state | python3 -c '
import json, sys
z = json.load(sys.stdin)["route53"]["zones"][sys.argv[1]]
for r in z["records"]:
    if r["Type"] not in ("SOA", "NS"):
        print(r["Name"], r["Type"], " ".join(v["Value"] for v in r["ResourceRecords"]))' "$zone"
}
service_dns() {
  emulator GET /_emulator/state | python3 -c '
import json, sys
for s in json.load(sys.stdin)["lattice"]["services"].values():
    if s["name"] == sys.argv[1]: print(s["dnsEntry"]["domainName"])' "$1"
}

# 1. From empty: one batch with both records, polled until INSYNC.
emulator POST /_emulator/config '{"asyncMs": 300}' >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply from empty: $out"
grep -q 'create dns_record.datastore.lattice.io: done (Z0123456789ABCDEFGHIJ/datastore.lattice.io/CNAME, ' <<<"$out" \
  || fail "no record creation shown: $out"
[[ $(r53 mutating) == "ChangeResourceRecordSets 200" ]] || fail "not one change batch: $(r53 mutating)"
r53 | grep -c '^GetChange 200' | grep -qv '^0$' || fail "the change was not waited for: $(r53)"
dns=$(service_dns datastore-apps)
[[ -n $dns ]] || fail "no service DNS name"
want="datastore.lattice.io. CNAME $dns
cname-datastore.lattice.io. TXT \"heritage=trellis,trellis/owner=platform-demo,trellis/source=clusters/cluster-b/route-datastore.yaml\""
[[ $(records) == "$want" ]] || fail "records after apply:
$(records)
want:
$want"
echo "ok: from empty, the CNAME to the service's DNS name and its TXT owner record go in one change batch, waited until INSYNC"

# 2. Second run: nothing to do, no write.
emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "second apply: $out"
grep -q 'No changes' <<<"$out" || fail "second apply planned changes: $out"
[[ $(writes) == 0 ]] || fail "the second apply wrote $(writes) times"
reads=$(r53 | grep -c '^ListResourceRecordSets 200')
[[ $reads == 1 ]] || fail "observing the record took $reads reads, want 1 (the zone's first page): $(r53)"
echo "ok: a second run plans no changes and writes nothing; the zone's records are read once (its first page)"

# 2b. A zone larger than one page (300 records) whose first page does not
#     reach our names: those are looked up on their own (CNAME and TXT),
#     and the plan is the same.
batch() { # ACTION
  python3 -c '
import json, sys
print(json.dumps({"type": "resourceRecordSets", "HostedZoneId": sys.argv[2], "ChangeBatch": {"Changes": [
  {"Action": sys.argv[1], "ResourceRecordSet": {"Name": f"a{i:03d}.lattice.io", "Type": "A", "TTL": 60,
   "ResourceRecords": [{"Value": "10.0.0.1"}]}} for i in range(320)]}}))' "$1" "$zone"
}
emulator POST /_emulator/seed "$(batch CREATE)" >/dev/null || fail "seeding 320 records"
emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan in a large zone: $out"
reads=$(r53 | grep -c '^ListResourceRecordSets 200')
[[ $reads == 3 ]] || fail "a large zone took $reads reads, want 3 (its first page, then the CNAME and the TXT): $(r53)"
emulator POST /_emulator/seed "$(batch DELETE)" >/dev/null || fail "removing the 320 records"
echo "ok: in a zone larger than a page, the names past the first page are looked up on their own; the same plan"

# 3. A replaced service (another name, so a new DNS name): the CNAME follows
#    in the same apply.
python3 - "$repo/clusters/cluster-b/route-datastore.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("  namespace: apps\n", "  namespace: apps\n  annotations:\n    application-networking.k8s.aws/service-name-override: datastore-v2\n", 1)
open(p, "w").write(s)
PY
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan of the renamed service: $out"
grep -q 'dns_record.datastore.lattice.io will be updated in place' <<<"$out" || fail "no record update planned: $out"
grep -q "value  *= service.datastore-apps.dnsEntry.domainName -> service.datastore-v2.dnsEntry.domainName" <<<"$out" || fail "the value change is not shown: $out"
# The old service goes with its association, auth policy, two listeners
# (HTTP, HTTPS) and four rules, and its target groups (named after it):
# 11 deletions, over the examples' maxDeletes 10.
grep -q '^11 owned resources would be destroyed with --prune' <<<"$out" || fail "renamed service plan: $out"
out=$("$TRELLIS_BIN" apply --repo "$repo" --prune --max-deletes 11 2>&1) || fail "apply of the renamed service: $out"
new=$(service_dns datastore-v2)
[[ -n $new && $new != "$dns" ]] || fail "no new service: $new"
# grep -q on a pipe would stop reading early and fail the writer under
# pipefail: read the records whole first.
grep -qxF "datastore.lattice.io. CNAME $new" <<<"$(records)" || fail "the CNAME did not follow: $(records)"
[[ -z $(service_dns datastore-apps) ]] || fail "the old service was not pruned"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan after the rename: $out"
echo "ok: a replaced service's CNAME is updated (UPSERT) in the same apply; the next plan has no changes"

# 4. Prune: the route drops its hostname (the service is replaced without a
#    custom domain); its records, and only its, are deleted.
emulator POST /_emulator/seed '{"type": "resourceRecordSets", "HostedZoneId": "'"$zone"'", "ChangeBatch": {"Changes": [
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "other.lattice.io", "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": "elsewhere.example.com"}]}}]}}' >/dev/null
python3 - "$repo/clusters/cluster-b/route-datastore.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("  hostnames:\n    - datastore.lattice.io\n", "", 1)
open(p, "w").write(s)
PY
grep -q '^  hostnames:' "$repo/clusters/cluster-b/route-datastore.yaml" && fail "test setup: hostname not removed"
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan without the hostname: $out"
grep -q 'dns_record.datastore.lattice.io would be destroyed, but prune is disabled' <<<"$out" || fail "no skipped delete: $out"
emulator DELETE /_emulator/requests >/dev/null
# The replaced service takes its 11 resources with it (see 3).
out=$("$TRELLIS_BIN" apply --repo "$repo" --prune --max-deletes 11 2>&1) || fail "apply --prune: $out"
[[ $(r53 mutating) == "ChangeResourceRecordSets 200" ]] || fail "not one delete batch: $(r53 mutating)"
[[ $(records) == "other.lattice.io. CNAME elsewhere.example.com" ]] || fail "records after prune: $(records)"
echo "ok: prune deletes our CNAME and TXT in one batch and leaves the others' records"

# 5. A CNAME on our name without our TXT: a plan error, never overwritten,
#    even with --adopt; another owner's TXT: the same.
emulator POST /_emulator/reset >/dev/null
seed_examples
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
emulator POST /_emulator/seed '{"type": "resourceRecordSets", "HostedZoneId": "'"$zone"'", "ChangeBatch": {"Changes": [
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "datastore.lattice.io", "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": "hand-made.example.com"}]}}]}}' >/dev/null
# The error points at the hostname in the route.
line=$(grep -n '^    - datastore.lattice.io$' "$repo/clusters/cluster-b/route-datastore.yaml" | cut -d: -f1)
[[ -n $line ]] || fail "test setup: no hostname line in the route"
for flag in "" --adopt; do
  rc=0; "$TRELLIS_BIN" apply --repo "$repo" $flag >"$E2E_TMP/out" 2>&1 || rc=$?
  [[ $rc == 1 ]] || fail "apply $flag over a foreign CNAME exited $rc: $(cat "$E2E_TMP/out")"
  grep -q "clusters/cluster-b/route-datastore.yaml:$line:.*Route 53 record \"datastore.lattice.io\" already exists in AWS ($zone/datastore.lattice.io/CNAME) without trellis's ownership record; trellis never changes it" "$E2E_TMP/out" \
    || fail "no unowned-record error for apply $flag: $(cat "$E2E_TMP/out")"
done
[[ $(writes) == 0 ]] || fail "apply wrote $(writes) times despite the plan error"
[[ $(records) == "datastore.lattice.io. CNAME hand-made.example.com" ]] || fail "the foreign CNAME changed: $(records)"
emulator POST /_emulator/seed '{"type": "resourceRecordSets", "HostedZoneId": "'"$zone"'", "ChangeBatch": {"Changes": [
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "cname-datastore.lattice.io", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": "\"heritage=trellis,trellis/owner=other-team,trellis/source=x.yaml\""}]}}]}}' >/dev/null
rc=0; "$TRELLIS_BIN" plan --repo "$repo" >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "plan over another owner's CNAME exited $rc"
grep -q 'Route 53 record "datastore.lattice.io" .* is owned by "other-team"' "$E2E_TMP/out" || fail "no foreign-owner error: $(cat "$E2E_TMP/out")"
echo "ok: a CNAME without our TXT (or with another owner's) is a plan error naming the route, and is never changed, even with --adopt"
echo "5 passed, 0 failed"
