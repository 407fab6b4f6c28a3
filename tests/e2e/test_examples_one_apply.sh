#!/usr/bin/env bash
# Issue #8's "Done when" on the bundled example (examples/, its TLS
# variant): from an empty account holding only what the examples expect
# to find (tests/data/examples-world.json: the private hosted zone and the
# ACM certificate of datastore.lattice.io), ONE apply creates everything:
# the service network and both VPC associations, the service with its
# custom domain and certificate, its HTTP and HTTPS listeners with the same
# rules, the target groups, both auth policies, the client IAM role and the
# Route 53 CNAME with its TXT owner record. A second apply sends no
# mutating request.
# Who may call the service is `trellis explain-access`, offline: the CLI
# cases tests/e2e/cli/explain-access-allowed (aws-sigv4-client from
# cluster A's VPC: allowed) and explain-access-other-vpc (from cluster B's
# VPC: denied) run it on examples/; another role is asked here, on a copy
# of examples/ that declares one (explain-access knows only the roles of
# the repository).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
# Creations take a while to become ACTIVE, as in AWS: apply must wait.
emulator POST /_emulator/config '{"asyncMs": 100}' >/dev/null
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
world=$TRELLIS_SOURCE_DIR/tests/data/examples-world.json
mutating() { # mutating operations logged since the last call
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(" ".join(r["operation"] for r in json.load(sys.stdin)["requests"] if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}

emulator DELETE /_emulator/requests >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$TRELLIS_SOURCE_DIR/examples" 2>&1) || fail "apply from empty: $out"
grep -q '^Apply complete: 17 done, 0 failed, 0 skipped.$' <<<"$out" || fail "apply summary: $out"
w=$(mutating)
ok "one apply from empty: $w"

emulator GET /_emulator/state >"$E2E_TMP/state.json"
python3 - "$E2E_TMP/state.json" "$world" <<'PY' || fail "the account after one apply"
import json, sys
s = json.load(open(sys.argv[1]))
world = json.load(open(sys.argv[2]))
cert = next(r["CertificateArn"] for r in world["resources"] if r["type"] == "certificate")
lat = s["lattice"]
owner = {"trellis/owner": "platform-demo"}

def one(kind, **want):
    found = [o for o in lat[kind].values() if all(o.get(k) == v for k, v in want.items())]
    assert len(found) == 1, "%s %s: %d found" % (kind, want, len(found))
    return found[0]

def owned(o):
    assert o["tags"]["trellis/owner"] == "platform-demo", o

sn = one("serviceNetworks", name="eks-lattice-network")
owned(sn)
assert sn["authType"] == "AWS_IAM", sn
vpcs = sorted(a["vpcId"] for a in lat["snvas"].values() if a["serviceNetworkId"] == sn["id"] and a["status"] == "ACTIVE")
assert vpcs == ["vpc-0a1b2c3d4e5f60001", "vpc-0a1b2c3d4e5f60002"], vpcs

svc = one("services", name="datastore-apps")
owned(svc)
assert svc["status"] == "ACTIVE", svc
assert svc["customDomainName"] == "datastore.lattice.io", svc
assert svc["certificateArn"] == cert, (svc.get("certificateArn"), cert)
assert svc["authType"] == "AWS_IAM", svc
assoc = one("snsas", serviceId=svc["id"])
assert assoc["serviceNetworkId"] == sn["id"] and assoc["status"] == "ACTIVE", assoc

listeners = sorted((l["protocol"], l["port"], l["name"]) for l in lat["listeners"].values() if l["serviceId"] == svc["id"])
assert listeners == [("HTTP", 80, "datastore-apps-80-http"), ("HTTPS", 443, "datastore-apps-443-https")], listeners

tgs = {t["id"]: t for t in lat["targetGroups"].values()}
assert sorted(t["name"] for t in tgs.values()) == [
    "datastore-v1-svc-apps-cluster-b-datastore-apps",
    "datastore-v2-svc-apps-cluster-b-datastore-apps"], sorted(tgs)
for t in tgs.values():
    owned(t)
    assert t["type"] == "IP" and t["config"]["port"] == 3000, t
    assert t["config"]["vpcIdentifier"] == "vpc-0a1b2c3d4e5f60002", t
def forward(rule):
    return sorted((tgs[g["targetGroupIdentifier"].split("/")[-1]]["name"].split("-svc")[0], g["weight"])
                  for g in rule["action"]["forward"]["targetGroups"])
for l in lat["listeners"].values():
    if l["serviceId"] != svc["id"]:
        continue
    rules = sorted((r for r in lat["rules"].values() if r["listenerId"] == l["id"] and not r.get("isDefault")),
                   key=lambda r: r["priority"])
    got = [(r["priority"], r["match"]["httpMatch"]["pathMatch"]["match"]["prefix"], forward(r)) for r in rules]
    assert got == [(1, "/popular", [("datastore-v1", 1)]),
                   (2, "/summary", [("datastore-v1", 50), ("datastore-v2", 50)])], (l["name"], got)

policies = lat["authPolicies"]
svc_policy = json.loads(policies[svc["arn"]]["policy"])["Statement"][0]
role = next(r for r in s["iam"]["roles"].values() if r["RoleName"] == "aws-sigv4-client")
assert svc_policy["Principal"]["AWS"] == role["Arn"], svc_policy
assert svc_policy["Resource"] == svc["arn"] + "/*", svc_policy
assert svc_policy["Condition"]["StringEquals"]["vpc-lattice-svcs:SourceVpc"] == "vpc-0a1b2c3d4e5f60001", svc_policy
sn_policy = json.loads(policies[sn["arn"]]["policy"])["Statement"][0]
assert sn_policy["Principal"]["AWS"] == "arn:aws:iam::123456789012:root", sn_policy
assert {t["Key"]: t["Value"] for t in role["Tags"]}["trellis/owner"] == "platform-demo", role
trust = json.loads(role["AssumeRolePolicyDocument"])["Statement"][0]
assert trust["Action"] == "sts:AssumeRoleWithWebIdentity", trust
assert json.loads(role["policies"]["invoke-datastore"])["Statement"][0]["Resource"] == svc["arn"] + "/*", role

zone = s["route53"]["zones"]["Z0123456789ABCDEFGHIJ"]
records = sorted((r["Name"], r["Type"], [v["Value"] for v in r["ResourceRecords"]])
                 for r in zone["records"] if r["Type"] not in ("SOA", "NS"))
assert records == [
    ("cname-datastore.lattice.io.", "TXT",
     ['"heritage=trellis,trellis/owner=platform-demo,trellis/source=clusters/cluster-b/route-datastore.yaml"']),
    ("datastore.lattice.io.", "CNAME", [svc["dnsEntry"]["domainName"]]),
], records
PY
ok "the account holds the service network (AWS_IAM) with both VPCs, the service with datastore.lattice.io and the examples' certificate, HTTP:80 and HTTPS:443 each with /popular and /summary 50/50, two IP target groups, both auth policies naming the new role, service and VPC, the role, and the CNAME with its TXT owner record"

out=$("$TRELLIS_BIN" apply --repo "$TRELLIS_SOURCE_DIR/examples" 2>&1) || fail "second apply: $out"
grep -q '^No changes.' <<<"$out" || fail "second apply planned changes: $out"
w=$(mutating)
[[ $w == - ]] || fail "the second apply made mutating requests: $w"
ok "a second apply makes zero mutating requests"
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
cat >>"$repo/clusters/cluster-a/client-role.yaml" <<'YAML'
---
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  name: reporting
  namespace: apps
spec:
  name: reporting
  assumeRolePolicyDocument: |
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
  inlinePolicies:
    invoke-all: |
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"}]}
YAML
rc=0; out=$("$TRELLIS_BIN" explain-access --repo "$repo" --from-cluster cluster-a --role reporting --to apps/datastore 2>&1) || rc=$?
[[ $rc == 2 ]] || fail "explain-access for another role exited $rc: $out"
grep -q '^DENIED: role reporting from cluster cluster-a may not invoke apps/datastore: no statement in the auth policy of service datastore-apps allows it$' <<<"$out" \
  || fail "another role not denied by the service's policy: $out"
grep -q 'Principal: the caller arn:aws:iam::[0-9]*:role/reporting is not named' <<<"$out" || fail "the reason is not the principal: $out"
rc=0; out=$("$TRELLIS_BIN" explain-access --repo "$repo" --from-cluster cluster-a --role aws-sigv4-client --to apps/datastore 2>&1) || rc=$?
[[ $rc == 0 ]] || fail "the client role from cluster A is no longer allowed ($rc): $out"
ok "explain-access: another role, from cluster A's VPC, is denied by the datastore's auth policy (its own policy allows Invoke on *); aws-sigv4-client is still allowed"
echo "$pass passed, 0 failed"
