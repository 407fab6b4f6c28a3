#!/usr/bin/env bash
# ACM at plan time against the emulator: an HTTPS listener with a custom
# domain (examples/: the datastore route on the Gateways' HTTPS listener)
# needs a certificate that exists, is ISSUED, covers the domain and is not
# expired (error) or expiring within 30 days (warning); without a named
# certificate the plan finds one as the AWS controller does, exact name
# before wildcard.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
arn=arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-00000000000a
day=86400
now=$(date +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }

# The examples' HTTPS listener (in both clusters' Gateway) names another
# certificate, or none (for discovery: certificateRefs instead, which VPC
# Lattice ignores, so the Gateway stays valid).
tls() { # ARN or ""
  python3 - "$repo/clusters" "$1" <<'PY'
import re, sys
d, arn = sys.argv[1], sys.argv[2]
for c in ("cluster-a", "cluster-b"):
    p = "%s/%s/gateway.yaml" % (d, c)
    g = open(p).read()
    option = re.compile(r"        options:\n          application-networking.k8s.aws/certificate-arn: \S+\n")
    assert option.search(g), p + " has no certificate-arn option"
    g = option.sub(("""        options:
          application-networking.k8s.aws/certificate-arn: %s
""" % arn) if arn else """        certificateRefs:
          - name: unused
""", g)
    open(p, "w").write(g)
PY
}
# The examples' world without its certificate: discovery must see only the
# certificates a step seeds.
seed_zone_only() {
  emulator POST /_emulator/seed "$(python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))
w["resources"] = [r for r in w["resources"] if r["type"] != "certificate"]
print(json.dumps(w))' "$TRELLIS_SOURCE_DIR/tests/data/examples-world.json")" >/dev/null || fail "seeding the zone"
}
seed_cert() { # ARN DOMAIN NOT_AFTER [STATUS]
  emulator POST /_emulator/seed '{"type": "certificate", "CertificateArn": "'"$1"'", "DomainName": "'"$2"'", "NotAfter": "'"$(iso "$3")"'"'"${4:+, \"Status\": \"$4\"}"'}' >/dev/null \
    || fail "seeding $1"
}
plan() { rc=0; "$TRELLIS_BIN" plan --repo "$repo" "$@" >"$E2E_TMP/out" 2>&1 || rc=$?; }
writes() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)["requests"] if r["mutating"]))'
}

# 0. The examples as they are: their certificate (seeded with their world)
#    is checked and planned for the service.
plan --verbose
[[ $rc == 0 ]] || fail "plan of the examples exited $rc: $(cat "$E2E_TMP/out")"
ex_arn=$(sed -n 's/^ *application-networking.k8s.aws\/certificate-arn: //p' "$repo/clusters/cluster-b/gateway.yaml")
[[ $ex_arn == arn:aws:acm:us-west-2:123456789012:certificate/* ]] || fail "test setup: the examples' ARN: $ex_arn"
grep -q "certificateArn  *= \"$ex_arn\"" "$E2E_TMP/out" || fail "the examples' certificate is not in the plan: $(cat "$E2E_TMP/out")"
! grep -q 'acm\.' "$E2E_TMP/out" || fail "ACM diagnostics on the examples: $(cat "$E2E_TMP/out")"
echo "ok: the examples' named certificate is found, valid, and planned for the service"

tls "$arn"
# The route's diagnostics point at its document's first line.
route_line=$(grep -n '^apiVersion:' "$repo/clusters/cluster-b/route-datastore.yaml" | head -1 | cut -d: -f1)
# 1. No such certificate (the examples' own, another ARN, exists).
plan
[[ $rc == 1 ]] || fail "plan with a missing certificate exited $rc: $(cat "$E2E_TMP/out")"
grep -q "route-datastore.yaml:$route_line:.*certificate $arn, named for HTTPS service datastore-apps (datastore.lattice.io), does not exist in ACM" "$E2E_TMP/out" \
  || fail "no missing-certificate error: $(cat "$E2E_TMP/out")"
echo "ok: a named certificate that does not exist is a plan error naming the route"

# 2. Expired: an error, and apply changes nothing.
seed_cert "$arn" datastore.lattice.io $((now - 3 * day))
rc=0; "$TRELLIS_BIN" apply --repo "$repo" >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "apply with an expired certificate exited $rc"
grep -q "error: spec.hostnames\[0\]: certificate $arn for datastore.lattice.io (service datastore-apps) expired 3 day(s) ago \[acm.expired\]\|expired 3 day(s) ago" "$E2E_TMP/out" \
  || fail "no expiry error: $(cat "$E2E_TMP/out")"
[[ $(writes) == 0 ]] || fail "apply wrote $(writes) times despite the expired certificate"
echo "ok: an expired certificate is an error; apply writes nothing"

# 3. Expiring within 30 days: a warning, the plan goes on; wrong domain: error.
emulator POST /_emulator/reset >/dev/null; seed_examples
seed_cert "$arn" datastore.lattice.io $((now + 10 * day + 3600))
plan --detailed-exitcode
[[ $rc == 2 ]] || fail "plan with an expiring certificate exited $rc: $(cat "$E2E_TMP/out")"
grep -q "warning: spec.hostnames\[0\]: certificate $arn for datastore.lattice.io (service datastore-apps) expires in 10 day(s)" "$E2E_TMP/out" \
  || fail "no expiring warning: $(cat "$E2E_TMP/out")"
grep -q "certificateArn  *= \"$arn\"" "$E2E_TMP/out" || fail "the certificate is not in the plan: $(cat "$E2E_TMP/out")"
emulator POST /_emulator/reset >/dev/null; seed_examples
seed_cert "$arn" other.lattice.io $((now + 90 * day))
plan
[[ $rc == 1 ]] && grep -q "certificate $arn (other.lattice.io) does not cover datastore.lattice.io" "$E2E_TMP/out" \
  || fail "no coverage error ($rc): $(cat "$E2E_TMP/out")"
echo "ok: expiring within 30 days warns and plans; a certificate for another name is an error"

# 4. Discovery: no ARN named; exact before wildcard (even a newer
#    wildcard), then the wildcard when no exact one exists.
emulator POST /_emulator/reset >/dev/null; seed_zone_only
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
tls ""
exact=arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-0000000000e1
wild=arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-0000000000w1
wild=${wild/w1/f1}
seed_cert "$exact" datastore.lattice.io $((now + 200 * day))
seed_cert "$wild" '*.lattice.io' $((now + 300 * day))
seed_cert arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-0000000000d1 '*.io' $((now + 300 * day))
plan --verbose
[[ $rc == 0 ]] || fail "plan with discovery exited $rc: $(cat "$E2E_TMP/out")"
grep -q "certificateArn  *= \"$exact\"" "$E2E_TMP/out" || fail "the exact certificate was not chosen: $(cat "$E2E_TMP/out")"
grep -q "service datastore-apps uses certificate $exact (exact match datastore.lattice.io)" "$E2E_TMP/out" \
  || fail "the choice is not explained: $(cat "$E2E_TMP/out")"
emulator POST /_emulator/reset >/dev/null; seed_zone_only
seed_cert "$wild" '*.lattice.io' $((now + 300 * day))
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply with a discovered wildcard: $out"
grep -q "certificateArn  *= \"$wild\"" <<<"$out" || fail "the wildcard certificate was not chosen: $out"
used=$(emulator GET /_emulator/state | python3 -c '
import json, sys
for s in json.load(sys.stdin)["lattice"]["services"].values():
    if s["name"] == "datastore-apps": print(s.get("certificateArn"))')
[[ $used == "$wild" ]] || fail "the service was created with certificate $used"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan after apply: $out"
echo "ok: without an ARN the exact certificate wins over a newer wildcard; the wildcard is used when alone, and the next plan has no changes"
echo "5 passed, 0 failed"
