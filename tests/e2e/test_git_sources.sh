#!/usr/bin/env bash
# trellis reading manifests from git: file:// remotes with --ref and --path,
# local work trees, missing refs, unreachable remotes with a token in the URL,
# and trellis diff between two tags. (HTTPS and SSH servers on loopback are
# tested at module level in tests/unit/source/.)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
work=$E2E_TMP/work
bare=$E2E_TMP/repo.git
git init -q -b main "$work"
mkdir -p "$work/apps/b"
cp "$TRELLIS_SOURCE_DIR/examples/clusters/cluster-b/"*.yaml "$work/apps/b/"
# Its auth policy names cluster A and its client role, which this
# one-cluster repository lacks.
rm "$work/apps/b/auth-datastore.yaml"
cat > "$work/apps/trellis.yaml" <<'YAML'
version: 1
region: us-west-2
owner: e2e
clusters:
  - name: b
    path: b
    vpcId: vpc-0a1b2c3d4e5f60002
YAML
git -C "$work" add -A && git -C "$work" commit -qm v1 && git -C "$work" tag v1
v1=$(git -C "$work" rev-parse v1)
# v2: the canary moves to 90/10, and a broken file appears.
sed -i 's/weight: 50$/weight: 90/; 0,/weight: 90/! s/weight: 90$/weight: 10/' "$work/apps/b/route-datastore.yaml"
grep -q 'weight: 10' "$work/apps/b/route-datastore.yaml" || fail "test setup: weights not changed"
git -C "$work" commit -qam v2 && git -C "$work" tag v2
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n' > "$work/apps/b/broken.yaml"
git -C "$work" add -A && git -C "$work" commit -qm broken
git clone -q --bare "$work" "$bare"

out=$("$TRELLIS_BIN" validate --repo "file://$bare" --ref v1 --path apps) || fail "validate v1: $out"
grep -q "at commit $v1" <<<"$out" || fail "commit id not reported: $out"
ok "file:// at a tag with --path reports the commit"

rc=0; out=$("$TRELLIS_BIN" validate --repo "file://$bare" --ref main --path apps) || rc=$?
[[ $rc == 1 ]] || fail "broken main exited $rc: $out"
grep -q '^apps/b/broken.yaml:5:3: error: mapping key "name" already defined at line 4' <<<"$out" \
  || fail "no repository-relative diagnostic: $out"
ok "file:// at a branch: diagnostics name repository paths"

out=$("$TRELLIS_BIN" validate --repo "$work" --ref "$v1" --path apps) || fail "local --ref: $out"
grep -q "at commit $v1" <<<"$out" || fail "local --ref commit: $out"
ok "a local work tree at a commit"

rc=0; "$TRELLIS_BIN" validate --repo "file://$bare" --ref no-such-ref >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "missing ref exited $rc"
grep -q "no-such-ref" "$E2E_TMP/out" || fail "missing ref message: $(cat "$E2E_TMP/out")"
ok "a missing ref: $(head -1 "$E2E_TMP/out")"

canary=ghp_CANARY$RANDOM$RANDOM
rc=0; "$TRELLIS_BIN" validate --repo "https://user:$canary@127.0.0.1:9/org/repo.git" >"$E2E_TMP/out" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "unreachable remote exited $rc"
grep -q "$canary" "$E2E_TMP/out" && fail "the token was printed: $(cat "$E2E_TMP/out")"
grep -q 'user:\*\*\*@127.0.0.1' "$E2E_TMP/out" || fail "redacted URL not shown: $(cat "$E2E_TMP/out")"
ok "an unreachable remote, token redacted: $(head -1 "$E2E_TMP/out")"

out=$("$TRELLIS_BIN" diff --repo "file://$bare" --from v1 --to v2 --path apps) || fail "diff: $out"
# The route attaches to the HTTP and the HTTPS listener: its /summary rule
# changes on each, nothing else.
grep -q '^Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy.$' <<<"$out" || fail "diff summary: $out"
grep -q 'rule.datastore-apps/http-80/2 will be updated in place' <<<"$out" || fail "diff detail: $out"
grep -q 'rule.datastore-apps/https-443/2 will be updated in place' <<<"$out" || fail "diff detail: $out"
ok "diff between two tags: the /summary rule updated on both listeners"

"$TRELLIS_BIN" diff --repo "file://$bare" --from v1 --to v2 --path apps --format json >"$E2E_TMP/plan.json" \
  || fail "diff json"
python3 - "$v1" "$E2E_TMP/plan.json" <<'PY' || fail "diff json content"
import json, sys
plan = json.load(open(sys.argv[2]))
assert plan["from_commit"] == sys.argv[1], plan["from_commit"]
assert plan["summary"]["update"] == 2 and plan["summary"]["create"] == 0, plan["summary"]
updated = sorted(c["address"] for c in plan["resource_changes"] if c["actions"] != ["no-op"])
assert updated == ["rule.datastore-apps/http-80/2", "rule.datastore-apps/https-443/2"], updated
assert plan["api_calls"] == 0
PY
ok "diff as JSON names both commits and makes no AWS call"

echo "$pass passed, 0 failed"
