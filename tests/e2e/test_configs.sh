#!/usr/bin/env bash
# Several configs in one run (--path / --config more than once) against the
# emulator: a repository with two teams' trellis.yaml (own owner, service
# network, VPC and route). plan prints each config under its heading (a
# JSON array with --format json), --detailed-exitcode and the summary line
# add them up; apply applies both, a second apply writes nothing; one
# invalid config stops the run before any AWS request, naming its file
# and line; two configs with one owner in one region, or declaring the
# same named resource, are refused before any AWS request; validate and
# render take several configs; the command line refuses what it cannot
# pair or save.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
repo=$E2E_TMP/repo

team() { # DIR OWNER NETWORK VPC ROUTE
  local dir=$repo/$1
  mkdir -p "$dir/cluster"
  cat >"$dir/trellis.yaml" <<EOF
version: 1
region: us-west-2
owner: $2
clusters:
  - name: main
    path: cluster
    vpcId: $4
EOF
  cat >"$dir/cluster/lattice.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: amazon-vpc-lattice
spec:
  controllerName: application-networking.k8s.aws/gateway-api-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: $3
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners:
    - name: http
      protocol: HTTP
      port: 80
      allowedRoutes:
        namespaces:
          from: All
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: $5
  namespace: apps
spec:
  parentRefs:
    - name: $3
      namespace: default
      sectionName: http
  rules:
    - backendRefs:
        - name: $5-svc
          port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: $5-svc
  namespace: apps
spec:
  ports:
    - port: 80
EOF
}
team team-a team-a net-a vpc-0a1b2c3d4e5f60001 orders
team team-b team-b net-b vpc-0a1b2c3d4e5f60002 billing

writes() { # the requests since the last call: "COUNT OP OP ..." (writes)
  emulator GET /_emulator/requests | python3 -c '
import json, sys
reqs = json.load(sys.stdin)["requests"]
print(len(reqs), " ".join(r["operation"] for r in reqs if r["mutating"]) or "-")'
  emulator DELETE /_emulator/requests >/dev/null
}
fresh() {
  emulator POST /_emulator/reset >/dev/null
  emulator POST /_emulator/config '{"asyncMs": 20}' >/dev/null
  emulator DELETE /_emulator/requests >/dev/null
}
run() { # EXPECTED-RC ARGS...: runs trellis, output in out and err
  local want=$1 rc=0; shift
  "$TRELLIS_BIN" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
  [[ $rc == "$want" ]] || fail "trellis $* exited $rc, want $want: $(tail -20 "$E2E_TMP/err")"
}

fresh
run 2 plan --repo "$repo" --path team-a --path team-b --format json --detailed-exitcode
python3 - "$E2E_TMP/out" <<'PY' || fail "plan --format json of two configs: $(head -c 600 "$E2E_TMP/out")"
import json, sys
docs = json.load(open(sys.argv[1]))
assert isinstance(docs, list) and len(docs) == 2, docs
for i, (d, name, svc) in enumerate(zip(docs, ["team-a/trellis.yaml", "team-b/trellis.yaml"],
                                       ["service.orders-apps", "service.billing-apps"])):
    assert d["config"] == {"file": name, "index": i, "count": 2}, d["config"]
    addrs = {c["address"] for c in d["resource_changes"]}
    assert svc in addrs, addrs
    assert d["summary"]["create"] >= 6, d["summary"]
assert not {c["address"] for c in docs[0]["resource_changes"]} & {c["address"] for c in docs[1]["resource_changes"]}
PY
creates=$(python3 -c 'import json,sys; print(sum(d["summary"]["create"] for d in json.load(open(sys.argv[1]))))' "$E2E_TMP/out")
grep -q "^trellis-summary: command=plan result=changes exit=2 errors=0 .* create=$creates .* configs=2$" "$E2E_TMP/err" \
  || fail "the summary line does not add up ($creates creations): $(tail -1 "$E2E_TMP/err")"
grep -q '^trellis: config 2/2: team-b/trellis.yaml (owner team-b, region us-west-2)$' "$E2E_TMP/err" \
  || fail "no banner for the second config: $(cat "$E2E_TMP/err")"
read -r n w < <(writes); [[ $w == - ]] || fail "plan wrote: $w"
ok "plan of two configs: a JSON array, one document per config, exit 2 with --detailed-exitcode, summary create=$creates configs=2"

run 0 apply --repo "$repo" --path team-a --path team-b
grep -q '^== Config 1/2: team-a/trellis.yaml ==$' "$E2E_TMP/out" || fail "no heading for team-a: $(head "$E2E_TMP/out")"
grep -q '^== Config 2/2: team-b/trellis.yaml ==$' "$E2E_TMP/out" || fail "no heading for team-b: $(cat "$E2E_TMP/out")"
[[ $(grep -c '^Apply complete: ' "$E2E_TMP/out") == 2 ]] || fail "not two completed applies: $(cat "$E2E_TMP/out")"
python3 - "$E2E_TMP/out" <<'PY' || fail "the output is not grouped by config: $(cat "$E2E_TMP/out")"
import sys
text = open(sys.argv[1]).read()
a, b = text.index("== Config 1/2"), text.index("== Config 2/2")
assert "service.orders-apps" in text[a:b] and "service.billing-apps" not in text[a:b]
assert "service.billing-apps" in text[b:]
PY
read -r n w < <(writes)
[[ " $w " == *" CreateServiceNetwork "* && $(grep -o CreateService\  <<<"$w " | wc -l) == 2 ]] || fail "apply of two configs wrote: $w"
run 0 plan --repo "$repo" --path team-a --path team-b --detailed-exitcode
run 0 apply --repo "$repo" --path team-a --path team-b
read -r n w < <(writes); [[ $w == - ]] || fail "the second apply wrote: $w"
ok "apply of two configs: each under its heading, both applied; then no change and no write"

# --config files paired in order with --path.
cp "$repo/team-a/trellis.yaml" "$E2E_TMP/a.yaml"; cp "$repo/team-b/trellis.yaml" "$E2E_TMP/b.yaml"
run 0 plan --repo "$repo" --path team-a --config "$E2E_TMP/a.yaml" --path team-b --config "$E2E_TMP/b.yaml" --detailed-exitcode
grep -q "^== Config 2/2: $E2E_TMP/b.yaml ==$" "$E2E_TMP/out" || fail "the --config file does not name the config: $(cat "$E2E_TMP/out")"
writes >/dev/null
ok "--path and --config pair up in order"

# One invalid config: nothing happens, not even for the valid one.
fresh
bad=$E2E_TMP/bad
cp -r "$repo" "$bad"
sed -i 's/^    - port: 80$/    - port: eighty/' "$bad/team-b/cluster/lattice.yaml"
run 1 apply --repo "$bad" --path team-a --path team-b
grep -q 'team-b/cluster/lattice.yaml:[0-9]*:[0-9]*: error: .*port' "$E2E_TMP/err" || fail "the error does not name the file, line and field: $(cat "$E2E_TMP/err")"
grep -q 'nothing was planned or applied' "$E2E_TMP/err" || fail "no word that nothing was done: $(cat "$E2E_TMP/err")"
read -r n w < <(writes); [[ $n == 0 ]] || fail "an invalid config still let $n AWS requests through: $w"
ok "one invalid config: exit 1 naming team-b's file and line, and not one AWS request"

# Two configs, one owner, one region.
fresh
same=$E2E_TMP/same
cp -r "$repo" "$same"
sed -i 's/^owner: team-b$/owner: team-a/' "$same/team-b/trellis.yaml"
run 1 plan --repo "$same" --path team-a --path team-b
grep -q 'team-b/trellis.yaml:[0-9]*:[0-9]*: error: owner: team-a/trellis.yaml and team-b/trellis.yaml both use owner "team-a" in region us-west-2' "$E2E_TMP/err" \
  || fail "same owner not refused: $(cat "$E2E_TMP/err")"
grep -q '\[config.same-owner\]' "$E2E_TMP/err" || fail "no rule: $(cat "$E2E_TMP/err")"
read -r n w < <(writes); [[ $n == 0 ]] || fail "same owner: $n AWS requests"
# Two owners declaring one service network.
sed -i 's/^owner: team-a$/owner: team-b/' "$same/team-b/trellis.yaml"
sed -i 's/net-b/net-a/' "$same/team-b/cluster/lattice.yaml"
run 1 apply --repo "$same" --path team-a --path team-b
grep -q 'error: VPC Lattice service network "net-a" is declared by team-b/trellis.yaml and by team-a/trellis.yaml' "$E2E_TMP/err" \
  || fail "same service network not refused: $(cat "$E2E_TMP/err")"
grep -q '\[config.same-resource\]' "$E2E_TMP/err" || fail "no rule: $(cat "$E2E_TMP/err")"
grep -q '^trellis-summary: command=apply result=failed exit=1 errors=1 .* configs=2$' "$E2E_TMP/err" \
  || fail "summary: $(tail -1 "$E2E_TMP/err")"
read -r n w < <(writes); [[ $n == 0 ]] || fail "same resource: $n AWS requests"
ok "one owner in one region, or one service network in two configs: refused before any AWS request"

# validate and render.
run 1 validate --repo "$bad" --path team-a --path team-b
grep -q '^team-a/trellis.yaml: valid: ' "$E2E_TMP/out" || fail "validate: $(cat "$E2E_TMP/out")"
grep -q '^team-b/trellis.yaml: invalid: .* 1 error' "$E2E_TMP/out" || fail "validate: $(cat "$E2E_TMP/out")"
run 0 render --repo "$repo" --path team-a --path team-b
python3 -c '
import json, sys
docs = json.load(open(sys.argv[1]))
assert [d["config"] for d in docs] == ["team-a/trellis.yaml", "team-b/trellis.yaml"], docs
assert [d["owner"] for d in docs] == ["team-a", "team-b"]' "$E2E_TMP/out" || fail "render: $(head -c 400 "$E2E_TMP/out")"
ok "validate reports per config; render prints a JSON array of the configs' models"

# What the command line refuses.
run 64 plan --repo "$repo" --path team-a --path team-b --config x --config y --config z
grep -q '2 --path and 3 --config values' "$E2E_TMP/err" || fail "pairing: $(cat "$E2E_TMP/err")"
run 64 plan --repo "$repo" --path team-a --path team-b --out "$E2E_TMP/plan.json"
grep -q -- '--out saves the plan of one config' "$E2E_TMP/err" || fail "--out: $(cat "$E2E_TMP/err")"
run 64 apply --repo "$repo" --path team-a --path team-b --report "$E2E_TMP/r.json"
run 64 diff --repo "$repo" --from HEAD --to HEAD --path team-a --path team-b
grep -q 'diff reads one config' "$E2E_TMP/err" || fail "diff: $(cat "$E2E_TMP/err")"
read -r n w < <(writes); [[ $n == 0 ]] || fail "usage errors made $n AWS requests"
ok "refused (exit 64): unpaired --path/--config counts, --out, --report, diff with several configs"

echo "$pass passed, 0 failed"
