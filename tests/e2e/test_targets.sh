#!/usr/bin/env bash
# Targets from EndpointSlices, end to end: the article's scenario with two
# simulated clusters (a Kubernetes API emulator each, TLS with a test CA,
# bearer tokens) and the AWS emulator. Registers exactly the ready pods'
# IPs; a scale-up and a pod going not-ready plan one registration and one
# deregistration and nothing else; a ServiceImport in cluster A targets
# cluster B's pods; pagination; a Service without endpoints; an
# unreachable API; a refused token.
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
TOKEN_A=token-a-7f3e9c1d2b
TOKEN_B=token-b-4a8d6e2f1c
start_kube cluster-a "$TOKEN_A"
start_kube cluster-b "$TOKEN_B"

# cluster-a through a kubeconfig and its current context, cluster-b with an
# explicit context.
python3 - "$repo/trellis.yaml" "$KUBE_DIR" <<'PY'
import sys
p, d = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("    oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLEA\n",
              "    oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLEA\n"
              f"    kubeconfig: {d}/cluster-a.kubeconfig\n")
s = s.replace("    oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLEB\n",
              "    oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLEB\n"
              f"    kubeconfig: {d}/cluster-b.kubeconfig\n    context: cluster-b\n")
open(p, "w").write(s)
PY

V1=datastore-v1-svc-apps-cluster-b-datastore-apps
V2=datastore-v2-svc-apps-cluster-b-datastore-apps
add_pod cluster-b apps datastore-v1-svc 10.0.2.11
add_pod cluster-b apps datastore-v1-svc 10.0.2.12
add_pod cluster-b apps datastore-v2-svc 10.0.3.21
add_pod cluster-b apps datastore-v2-svc 10.0.3.22

# Targets the emulated account holds for a target group: "ip:port/STATUS".
targets_of() {
  emulator GET /_emulator/state | python3 -c '
import json, sys
st = json.load(sys.stdin)["lattice"]
name = sys.argv[1]
out = []
for tg in st["targetGroups"].values():
    if tg["name"] == name:
        for t in tg["targets"]:
            out.append("%s:%s%s" % (t["id"], t["port"], "/DRAINING" if "drainUntil" in t else ""))
print(" ".join(sorted(out)) or "-")' "$1"
}
mutations() {
  emulator GET /_emulator/requests | python3 -c '
import json, sys
print(" ".join(r["operation"] for r in json.load(sys.stdin)["requests"] if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}
plan_json() { "$TRELLIS_BIN" plan --repo "$repo" --format json 2>"$E2E_TMP/err"; }

out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply: $out"
grep -q "register targets.$V1: 2 to RegisterTargets" <<<"$out" || fail "no registration progress: $out"
[[ $(targets_of $V1) == "10.0.2.11:3000 10.0.2.12:3000" ]] || fail "v1 targets: $(targets_of $V1)"
[[ $(targets_of $V2) == "10.0.3.21:3000 10.0.3.22:3000" ]] || fail "v2 targets: $(targets_of $V2)"
grep -q "$TOKEN_B\|$TOKEN_A" <<<"$out" && fail "a token was printed: $out"
mutations >/dev/null
ok "apply registers exactly the ready pods of v1 and v2 ($(targets_of $V1); $(targets_of $V2))"

rc=0; out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || rc=$?
[[ $rc == 0 ]] || fail "plan after apply exited $rc: $out"
grep -q '^No changes.' <<<"$out" || fail "plan after apply: $out"
ok "plan after apply: no changes"

# v2 scaled from 2 to 3 pods, one v1 pod not ready.
add_pod cluster-b apps datastore-v2-svc 10.0.3.23
kube cluster-b PATCH /_kube/endpoints '{"namespace":"apps","service":"datastore-v1-svc","ip":"10.0.2.12","ready":false}' >/dev/null
plan_json >"$E2E_TMP/plan.json" || fail "plan: $(cat "$E2E_TMP/err")"
python3 - "$E2E_TMP/plan.json" "$V1" "$V2" <<'PY' || fail "plan after scaling: $(cat "$E2E_TMP/plan.json")"
import json, sys
p = json.load(open(sys.argv[1]))
s = p["summary"]
assert s["register"] == 1 and s["deregister"] == 1, s
assert s["create"] == s["update"] == s["replace"] == s["delete"] == 0, s
acts = [c for c in p["resource_changes"] if c["actions"] != ["no-op"]]
assert [c["address"] for c in acts] == ["targets." + sys.argv[2], "targets." + sys.argv[3]], acts
by = {c["address"]: c for c in acts}
assert by["targets." + sys.argv[2]]["deregister"] == [{"id": "10.0.2.12", "port": 3000}]
assert by["targets." + sys.argv[2]]["register"] == []
assert by["targets." + sys.argv[3]]["register"] == [{"id": "10.0.3.23", "port": 3000}]
assert by["targets." + sys.argv[3]]["deregister"] == []
PY
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "text plan: $out"
grep -q 'Plan: 0 to add, 0 to change, 0 to replace, 0 to destroy; 1 target to register, 1 to deregister.' <<<"$out" || fail "summary: $out"
grep -q '^      + 10.0.3.23:3000$' <<<"$out" && grep -q '^      - 10.0.2.12:3000$' <<<"$out" || fail "detail: $out"
mutations >/dev/null
# Long enough to see the deregistered target DRAINING in the next plan.
emulator POST /_emulator/config '{"asyncMs": 20000}' >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply after scaling: $out"
w=$(mutations)
[[ $(tr ' ' '\n' <<<"$w" | sort | tr '\n' ' ') == "DeregisterTargets RegisterTargets " ]] || fail "apply after scaling wrote: $w"
[[ $(targets_of $V1) == "10.0.2.11:3000 10.0.2.12:3000/DRAINING" ]] || fail "v1 after: $(targets_of $V1)"
[[ $(targets_of $V2) == "10.0.3.21:3000 10.0.3.22:3000 10.0.3.23:3000" ]] || fail "v2 after: $(targets_of $V2)"
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan while draining: $out"
grep -q '^No changes.' <<<"$out" || fail "a DRAINING target is drift: $out"
emulator POST /_emulator/config '{"asyncMs": 50}' >/dev/null
ok "v2 2->3 and a v1 pod not ready: one registration, one deregistration, nothing else; applied; DRAINING is not drift"

# Pagination (100 EndpointSlices a page) and batches (100 targets a call):
# 150 v2 pods, one per slice.
kube cluster-b POST /_kube/config '{"maxPerSlice": 1}' >/dev/null
for i in $(seq 1 150); do add_pod cluster-b apps datastore-v2-svc "10.0.4.$i"; done
kube cluster-b DELETE /_kube/requests >/dev/null
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply of 150 pods: $out"
kube cluster-b GET /_kube/requests | python3 -c '
import json, sys
reqs = [r for r in json.load(sys.stdin)["requests"] if r["query"].get("labelSelector") == "kubernetes.io/service-name=datastore-v2-svc"]
assert len(reqs) >= 2, reqs
assert reqs[0]["query"]["limit"] == "100" and "continue" not in reqs[0]["query"], reqs[0]
assert "continue" in reqs[1]["query"], reqs[1]
assert all(r["authorized"] for r in reqs)' || fail "no paginated listing"
[[ $(mutations) == "RegisterTargets RegisterTargets" ]] || fail "150 registrations not in two batches"
[[ $(targets_of $V2 | wc -w) == 153 ]] || fail "v2 has $(targets_of $V2 | wc -w) targets"
ok "150 pods in 150 EndpointSlices: listed in pages of 100 with continue, registered in batches of 100"

# A Service that has no endpoints in its cluster (not deployed there).
kube cluster-b POST /_kube/reset >/dev/null
add_pod cluster-b apps datastore-v1-svc 10.0.2.11
out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || fail "plan without v2 endpoints: $out"
grep -q 'cluster cluster-b has no EndpointSlices for Service apps/datastore-v2-svc' <<<"$out" || fail "no warning: $out"
grep -q "; 0 targets to register, 153 to deregister.$" <<<"$out" || fail "v2 not emptied: $out"
ok "a Service without EndpointSlices: warned, its target group planned empty"

# An unreachable API: a warning, no target changes for that cluster.
python3 - "$KUBE_DIR/cluster-b.kubeconfig" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
open(p + ".bak", "w").write(s)
open(p, "w").write(re.sub(r"server: https://127.0.0.1:\d+", "server: https://127.0.0.1:9", s))
PY
rc=0; out=$("$TRELLIS_BIN" plan --repo "$repo" --detailed-exitcode 2>&1) || rc=$?
[[ $rc == 0 ]] || fail "plan with cluster-b unreachable exited $rc: $out"
grep -q 'cluster cluster-b: the Kubernetes API cannot be read' <<<"$out" || fail "no unreachable warning: $out"
grep -q '^No changes.' <<<"$out" || fail "target changes planned for an unreachable cluster: $out"
mv "$KUBE_DIR/cluster-b.kubeconfig.bak" "$KUBE_DIR/cluster-b.kubeconfig"
ok "unreachable API: warning, no target changes planned"

# A refused token: an error, exit 1, nothing changed, the token not shown.
kube cluster-b POST /_kube/config '{"token": "another-token-entirely"}' >/dev/null
mutations >/dev/null
rc=0; out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || rc=$?
[[ $rc == 1 ]] || fail "apply with a refused token exited $rc: $out"
grep -q 'kube.auth' <<<"$out" && grep -q 'HTTP 401' <<<"$out" || fail "no auth error: $out"
[[ $(mutations) == - ]] || fail "a refused token still changed AWS"
grep -q "$TOKEN_B" <<<"$out" && fail "the token was printed"
kube cluster-b POST /_kube/config "{\"token\": \"$TOKEN_B\", \"forbid\": true}" >/dev/null
rc=0; out=$("$TRELLIS_BIN" plan --repo "$repo" 2>&1) || rc=$?
[[ $rc == 1 ]] && grep -q 'HTTP 403' <<<"$out" || fail "403 not an error ($rc): $out"
kube cluster-b POST /_kube/config '{"forbid": false}' >/dev/null
ok "refused token (401) and forbidden list (403): error, exit 1, nothing changed, token never printed"

# Cross-cluster: cluster B exports datastore-v1-svc, a route in cluster A
# uses it through a ServiceImport: its target group is in B's VPC with B's pods.
cat >"$repo/clusters/cluster-b/export.yaml" <<'YAML'
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: datastore-v1-svc
  namespace: apps
  annotations:
    application-networking.k8s.aws/federation: amazon-vpc-lattice
YAML
cat >"$repo/clusters/cluster-a/import.yaml" <<'YAML'
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata:
  name: datastore-v1-svc
  namespace: apps
spec:
  type: ClusterSetIP
  ports:
    - {port: 80, protocol: TCP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: legacy
  namespace: apps
spec:
  parentRefs:
    - {name: eks-lattice-network, namespace: default, sectionName: http}
  rules:
    - backendRefs:
        - {group: application-networking.k8s.aws, kind: ServiceImport, name: datastore-v1-svc, port: 80}
YAML
out=$("$TRELLIS_BIN" apply --repo "$repo" 2>&1) || fail "apply with the ServiceImport: $out"
IMP=datastore-v1-svc-apps-cluster-b-legacy-apps
[[ $(targets_of $IMP) == "10.0.2.11:3000" ]] || fail "imported targets: $(targets_of $IMP); $out"
emulator GET /_emulator/state | python3 -c '
import json, sys
tg = [t for t in json.load(sys.stdin)["lattice"]["targetGroups"].values() if t["name"] == sys.argv[1]][0]
assert tg["config"]["vpcIdentifier"] == "vpc-0a1b2c3d4e5f60002", tg["config"]' "$IMP" || fail "imported target group not in cluster B's VPC"
ok "route in cluster A through a ServiceImport: target group in cluster B's VPC with B's pods"
echo "$pass checks passed"
