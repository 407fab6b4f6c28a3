#!/usr/bin/env bash
# examples/ci: the GitHub Actions workflow and the GitLab CI file have the
# structure their CI systems need, the pull-request flow (validate, plan or
# diff as markdown, one comment updated in place, the plan saved) and the
# merge flow (apply --plan), and every trellis flag they pass exists
# (`trellis COMMAND --help`). Mutated copies show each check can fail.
source "$(dirname "$0")/lib.sh"
check=$TRELLIS_SOURCE_DIR/tests/e2e/tools/examples_check.py
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is needed (ci/packages.txt)"
python3 "$check" ci "$TRELLIS_SOURCE_DIR" "$TRELLIS_BIN" || fail "examples/ci (above)"

expect_fail() { # NAME FILE SED-EXPR MESSAGE
  local dir=$E2E_TMP/$1
  mkdir -p "$dir/examples"
  cp -r "$TRELLIS_SOURCE_DIR/examples/ci" "$dir/examples/"
  sed -i "$3" "$dir/examples/ci/$2"
  if python3 "$check" ci "$dir" "$TRELLIS_BIN" >/dev/null 2>"$dir/err"; then
    fail "mutation $1 was not caught"
  fi
  grep -qF -- "$4" "$dir/err" || { cat "$dir/err"; fail "mutation $1: no '$4'"; }
}
expect_fail gh-unknown-flag github-actions.yml 's/--format github/--format github --annotate/' \
  "trellis validate has no option --annotate"
expect_fail gh-apply-replans github-actions.yml 's/apply --plan plan.json/apply --repo ./' \
  "no \`apply --plan FILE\` on merge"
expect_fail gh-comment-duplicates github-actions.yml '/updateComment/d' \
  "must be updated when it exists"
expect_fail gh-no-diff github-actions.yml 's/trellis diff --repo/trellis render --repo/' \
  "no \`diff --from BASE --to HEAD"
expect_fail gh-step-both github-actions.yml 's/^      - uses: actions\/checkout@v4$/      - uses: actions\/checkout@v4\n        run: true/' \
  "exactly one of uses and run"
expect_fail gh-no-permission github-actions.yml '/^  pull-requests: write/d' \
  "permissions.pull-requests: write"
expect_fail gl-bad-stage gitlab-ci.yml 's/^  stage: apply$/  stage: deploy/' \
  "stage deploy is not in stages"
expect_fail gl-unknown-need gitlab-ci.yml 's/needs: \[trellis-fetch-plan\]/needs: [trellis-fetch]/' \
  "needs unknown job trellis-fetch"
expect_fail gl-plan-text gitlab-ci.yml 's/--format markdown --out plan.json/--format text --out plan.json/' \
  "no \`plan --format markdown --out FILE\`"
expect_fail gl-no-marker gitlab-ci.yml "s/marker='<!-- trellis-plan -->'/marker=x/" \
  "needs a marker"
expect_fail gl-bad-yaml gitlab-ci.yml '1i stages: [unclosed' "not YAML"
echo "ok: examples/ci are well-formed and use only flags trellis has"
