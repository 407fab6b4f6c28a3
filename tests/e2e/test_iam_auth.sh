#!/usr/bin/env bash
# IAM auth and client roles end to end against the emulator (examples/):
# policies whose references are filled in at apply, a second run that
# writes nothing, a policy re-indented and re-ordered (no change), a role's
# trust and inline policy and tags updated, an IAMAuthPolicy removed (auth
# type back to NONE; the policy itself goes under --prune), a reference
# that names nothing (an error, nothing written), and prune deleting only
# the roles trellis owns.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
emulator POST /_emulator/config '{"asyncMs": 0}' >/dev/null
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
a=$repo/clusters/cluster-a
b=$repo/clusters/cluster-b

writes() { # mutating operations since the last call
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(" ".join(r["operation"] for r in json.load(sys.stdin)["requests"] if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}
state() { emulator GET /_emulator/state >"$E2E_TMP/state.json"; }

# Two roles that are not ours: one without tags, one of another owner.
emulator POST /_emulator/seed '{"resources": [
  {"type": "role", "RoleName": "someone-elses", "AssumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"},
  {"type": "role", "RoleName": "other-team", "Tags": [{"Key": "trellis/owner", "Value": "other-team"}], "AssumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}
]}' >/dev/null

"$TRELLIS_BIN" plan --repo "$repo" >"$E2E_TMP/plan" 2>&1 || fail "plan from empty: $(cat "$E2E_TMP/plan")"
grep -q 'policy.Statement\[0\].Resource *= "(known after apply)/\*"' "$E2E_TMP/plan" \
  || fail "the service ARN is not shown as known after apply: $(cat "$E2E_TMP/plan")"
grep -q 'SourceVpc = "vpc-0a1b2c3d4e5f60001"' "$E2E_TMP/plan" || fail "the VPC id is not filled in: $(cat "$E2E_TMP/plan")"
grep -q 'templates\|references' "$E2E_TMP/plan" && fail "apply's working data shown in the plan"
writes >/dev/null
ok "plan: references to what apply creates are (known after apply), the others filled in"

out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply from empty: $out"
w=$(writes); [[ $w == *"CreateRole PutRolePolicy PutAuthPolicy PutAuthPolicy"* ]] || fail "apply order: $w"
state
python3 - "$E2E_TMP/state.json" <<'PY' || fail "state after apply"
import json, sys, urllib.parse
s = json.load(open(sys.argv[1]))
def find(v, pred):
    if isinstance(v, dict):
        if pred(v): yield v
        for x in v.values(): yield from find(x, pred)
    elif isinstance(v, list):
        for x in v: yield from find(x, pred)
svc = next(find(s["lattice"], lambda v: v.get("name") == "datastore-apps" and "dnsEntry" in v))
sn = next(find(s["lattice"], lambda v: v.get("name") == "eks-lattice-network" and "authType" in v))
assert svc["authType"] == "AWS_IAM" and sn["authType"] == "AWS_IAM", (svc["authType"], sn["authType"])
role = next(find(s["iam"], lambda v: v.get("RoleName") == "aws-sigv4-client"))
pols = next(find(s["lattice"], lambda v: svc["arn"] in v and isinstance(v[svc["arn"]], dict) and "policy" in v[svc["arn"]]))
p = json.loads(pols[svc["arn"]]["policy"])
st = p["Statement"][0]
assert st["Resource"] == svc["arn"] + "/*", st
assert st["Principal"]["AWS"] == role["Arn"], st
assert st["Condition"]["StringEquals"]["vpc-lattice-svcs:SourceVpc"] == "vpc-0a1b2c3d4e5f60001", st
assert json.loads(pols[sn["arn"]]["policy"])["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::123456789012:root"
trust = json.loads(role["AssumeRolePolicyDocument"])["Statement"][0]
prov = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLEA"
assert trust["Principal"]["Federated"] == "arn:aws:iam::123456789012:oidc-provider/" + prov, trust
assert trust["Condition"]["StringEquals"][prov + ":sub"] == "system:serviceaccount:apps:aws-sigv4-client", trust
inline = json.loads(role["policies"]["invoke-datastore"])
assert inline["Statement"][0]["Resource"] == svc["arn"] + "/*", inline
tags = {t["Key"]: t["Value"] for t in role["Tags"]}
assert tags["trellis/owner"] == "platform-demo" and tags["app"] == "frontend", tags
PY
ok "apply: AWS_IAM on network and service, the policies name the new service, role and VPC"

out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan after apply: $out"
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "second apply: $out"
[[ $(writes) == - ]] || fail "second apply wrote"
ok "second run: no changes, no writes"

# The same policy, re-indented, keys in another order.
python3 - "$b/auth-datastore.yaml" <<'PY'
import json, re, sys
p = sys.argv[1]; s = open(p).read()
head, body = s.split("  policy: |\n")
doc = json.loads(body)
doc["Statement"][0] = dict(reversed(list(doc["Statement"][0].items())))
open(p, "w").write(head + "  policy: '" + json.dumps(dict(reversed(list(doc.items())))) + "'\n")
PY
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "re-ordered policy: $out"
ok "a policy re-indented and re-ordered plans no change"

# Trust for another service account, the inline policy widened, a tag gone.
sed -i 's/serviceaccount:apps:aws-sigv4-client"/serviceaccount:apps:aws-sigv4-client-v2"/;
        s|"Resource": "${service:apps/datastore.arn}/\*"|"Resource": ["${service:apps/datastore.arn}/*", "${service:apps/datastore.arn}"]|;
        /^  tags:/,/value: frontend/d' "$a/client-role.yaml"
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan of the role change: $out"
grep -q '^Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.$' <<<"$out" || fail "role change plan: $out"
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply of the role change: $out"
[[ $(writes) == "UpdateAssumeRolePolicy PutRolePolicy UntagRole" ]] || fail "role change wrote the wrong calls"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || fail "plan after the role change: $out"
ok "role: trust policy, inline policy and tags updated in place, then no changes"

# A reference that names nothing: an error naming it, nothing written.
cp "$b/auth-datastore.yaml" "$E2E_TMP/auth-datastore.yaml"
sed -i 's|apps/datastore.arn|apps/nope.arn|' "$b/auth-datastore.yaml"
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) && fail "apply with an unknown reference succeeded: $out"
grep -q 'clusters/cluster-b/auth-datastore.yaml:[0-9]*:[0-9]*: error: spec.policy: policy reference ${service:apps/nope.arn} names route apps/nope, which is not in the repository' <<<"$out" \
  || fail "unknown reference message: $out"
[[ $(writes) == - ]] || fail "wrote despite the unknown reference"
cp "$E2E_TMP/auth-datastore.yaml" "$b/auth-datastore.yaml"
ok "an unresolvable reference is an error naming file, line, field and the reference; nothing written"

# The service's IAMAuthPolicy removed: auth type back to NONE; the policy
# itself is deleted under --prune only.
rm "$b/auth-datastore.yaml"
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply without the policy: $out"
[[ $(writes) == UpdateService ]] || fail "policy removal wrote the wrong calls"
grep -q 'auth_policy.service/datastore-apps would be destroyed, but prune is disabled' <<<"$out" || fail "no prune note: $out"
state
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
svc = [v for v in s["lattice"]["services"].values() if v["name"] == "datastore-apps"][0] if isinstance(s["lattice"]["services"], dict) else [v for v in s["lattice"]["services"] if v["name"] == "datastore-apps"][0]
assert svc["authType"] == "NONE", svc["authType"]' "$E2E_TMP/state.json" 2>/dev/null \
  || python3 -c '
import json, sys
def find(v):
    if isinstance(v, dict):
        if v.get("name") == "datastore-apps" and "authType" in v: yield v
        for x in v.values(): yield from find(x)
    elif isinstance(v, list):
        for x in v: yield from find(x)
assert next(find(json.load(open(sys.argv[1])))).get("authType") == "NONE"' "$E2E_TMP/state.json" \
  || fail "auth type not back to NONE"
out=$("$TRELLIS_BIN" apply --repo "$repo" --prune 2>&1) || fail "apply --prune of the policy: $out"
w=$(writes); [[ $w == DeleteAuthPolicy ]] || fail "prune of the policy wrote: $w: $out"
ok "IAMAuthPolicy removed: auth type NONE at once, the policy deleted under --prune"

# The role removed: pruned, and only ours; the others' roles stay.
rm "$a/client-role.yaml"
out=$("$TRELLIS_BIN" apply --repo "$repo" --prune 2>&1) || fail "apply --prune of the role: $out"
[[ $(writes) == "DeleteRolePolicy DeleteRole" ]] || fail "role prune wrote the wrong calls"
state
python3 -c '
import json, sys
s = json.dumps(json.load(open(sys.argv[1]))["iam"])
assert "aws-sigv4-client" not in s and "someone-elses" in s and "other-team" in s' "$E2E_TMP/state.json" \
  || fail "prune touched roles that are not ours"
out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode --prune 2>&1) || fail "plan after prune: $out"
ok "prune deletes the owned role (inline policy first) and leaves the others' roles"

echo "$pass passed, 0 failed"
