#!/usr/bin/env bash
# Targets from EndpointSlices for a Service whose targetPort is a NAME (the
# slice port named like the Service port carries the resolved number, next
# to another port), for an IPv6 Service (ipFamilies: [IPv6]) that also has
# IPv4 endpoints (dual-stack: a warning, only IPv6 registered), and for an
# IPv4 target group whose Service has only IPv6 endpoints (an error, exit
# 1, nothing changed in AWS). A not-ready and a terminating pod are left
# out.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/kube_lib.sh"
start_emulator
emulator POST /_emulator/config '{"asyncMs": 50}' >/dev/null
seed_examples
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$repo/"
start_kube cluster-b token-b-91c2e7

python3 - "$repo/trellis.yaml" "$KUBE_DIR" "$repo/clusters/cluster-b/datastore.yaml" <<'PY'
import sys
p, d, ds = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(p).read()
anchor = "    oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLEB\n"
assert anchor in s
open(p, "w").write(s.replace(anchor, anchor + f"    kubeconfig: {d}/cluster-b.kubeconfig\n    context: cluster-b\n"))
s = open(ds).read()
# v1: a metrics port first, then http with a named targetPort.
v1 = ("  name: datastore-v1-svc\n", "    - name: http\n      protocol: TCP\n      port: 80\n      targetPort: 3000\n")
assert s.count(v1[1]) == 2
head, rest = s.split("  name: datastore-v2-svc\n", 1)
head = head.replace(v1[1], "    - name: metrics\n      protocol: TCP\n      port: 9090\n      targetPort: 9090\n"
                    "    - name: http\n      protocol: TCP\n      port: 80\n      targetPort: web\n")
# v2: IPv6 only.
rest = rest.replace("  type: ClusterIP\n", "  type: ClusterIP\n  ipFamilies: [IPv6]\n  ipFamilyPolicy: SingleStack\n", 1)
open(ds, "w").write(head + "  name: datastore-v2-svc\n" + rest)
PY
grep -q 'targetPort: web' "$repo/clusters/cluster-b/datastore.yaml" || fail "repo edit failed"

V1=datastore-v1-svc-apps-cluster-b-datastore-apps
V2=datastore-v2-svc-apps-cluster-b-datastore-apps
ports='[{"name":"metrics","port":9090,"protocol":"TCP"},{"name":"http","port":8080,"protocol":"TCP"}]'
ep() { kube cluster-b POST /_kube/endpoints "$1" >/dev/null || fail "endpoint $1"; }
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v1-svc\",\"ip\":\"10.0.2.11\",\"ports\":$ports}"
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v1-svc\",\"ip\":\"10.0.2.12\",\"ports\":$ports,\"ready\":false}"
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v1-svc\",\"ip\":\"10.0.2.13\",\"ports\":$ports,\"terminating\":true}"
p6='[{"name":"http","port":3000,"protocol":"TCP"}]'
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v2-svc\",\"ip\":\"fd00:10::22\",\"ports\":$p6}"
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v2-svc\",\"ip\":\"fd00:10::21\",\"ports\":$p6}"
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v2-svc\",\"ip\":\"10.0.3.21\",\"ports\":$p6}"

targets_of() {
  emulator GET /_emulator/state | python3 -c '
import json, sys
st = json.load(sys.stdin)["lattice"]
out = []
for tg in st["targetGroups"].values():
    if tg["name"] == sys.argv[1]:
        out += ["%s:%s" % (t["id"], t["port"]) for t in tg["targets"]]
print(" ".join(sorted(out)) or "-")' "$1"
}
tg_ip_type() {
  emulator GET /_emulator/state | python3 -c '
import json, sys
print([t for t in json.load(sys.stdin)["lattice"]["targetGroups"].values() if t["name"] == sys.argv[1]][0]["config"].get("ipAddressType"))' "$1"
}
mutations() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(" ".join(r["operation"] for r in json.load(sys.stdin)["requests"] if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}

out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply: $out"
[[ $(targets_of $V1) == "10.0.2.11:8080" ]] || fail "v1 (named targetPort) targets: $(targets_of $V1); $out"
ok "named targetPort: the ready pod on the slice port named http (8080, not metrics 9090); not-ready and terminating pods left out"

[[ $(tg_ip_type $V2) == IPV6 ]] || fail "v2 target group is $(tg_ip_type $V2)"
[[ $(targets_of $V2) == "fd00:10::21:3000 fd00:10::22:3000" ]] || fail "v2 (IPv6) targets: $(targets_of $V2)"
grep -q 'kube.ip-family' <<<"$out" && grep -q 'Service apps/datastore-v2-svc in cluster cluster-b is dual-stack: its 1 IPv4 endpoint are not registered' <<<"$out" \
  || fail "no dual-stack warning: $out"
ok "IPv6 Service with an IPv4 endpoint too: IPV6 target group, both IPv6 pods registered, dual-stack warned"

rc=0; out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || rc=$?
[[ $rc == 0 ]] && grep -q '^No changes.' <<<"$out" || fail "plan after apply ($rc): $out"
ok "plan after apply: no changes"

# v1 (an IPv4 target group) now has only IPv6 endpoints.
kube cluster-b POST /_kube/reset >/dev/null
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v1-svc\",\"ip\":\"fd00:10::11\",\"ports\":$ports}"
ep "{\"namespace\":\"apps\",\"service\":\"datastore-v2-svc\",\"ip\":\"fd00:10::21\",\"ports\":$p6}"
mutations >/dev/null
rc=0; out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || rc=$?
[[ $rc == 1 ]] || fail "apply with an IPv6-only Service on an IPv4 target group exited $rc: $out"
grep -q 'Service apps/datastore-v1-svc in cluster cluster-b has only IPv6 endpoints, but its target group is IPV4' <<<"$out" \
  || fail "no IP family error: $out"
grep -q 'spec.ipFamilies' <<<"$out" || fail "the error does not say how to fix it: $out"
[[ $(mutations) == - ]] || fail "AWS was changed despite the error"
[[ $(targets_of $V1) == "10.0.2.11:8080" ]] || fail "v1 targets changed: $(targets_of $V1)"
ok "IPv6-only endpoints for an IPv4 target group: error naming spec.ipFamilies, exit 1, nothing changed"
echo "$pass checks passed"
