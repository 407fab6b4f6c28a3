#!/usr/bin/env bash
# AWS requests of `trellis plan`, counted from the emulator's request log by
# bench/plan-requests (counting is not timing, so it is a test): the
# article's scenario from an empty account must take at most 15 requests
# (issue #6, met: 9). A no-op plan of routes already applied is held to
# 11.5 requests per route at 20 routes, what trellis makes today (11.2),
# so a change that adds reads fails here. The issue's target is 5 per
# route; it is NOT met: bench/README.md says why (VPC Lattice's List calls
# omit the fields a plan compares, so each service, listener, rule and
# target group needs a Get, and each service and target group a tag read).
here=$(cd "$(dirname "$0")" && pwd)
[[ -x $TRELLIS_SOURCE_DIR/bench/plan-requests ]] || { echo "FAIL: bench/plan-requests missing"; exit 1; }
out=$(PER_ROUTE=11.5 TRELLIS_BIN=$TRELLIS_BIN "$TRELLIS_SOURCE_DIR/bench/plan-requests" 20 2>&1) \
  || { echo "FAIL: request bounds: $out"; exit 1; }
echo "$out"
grep -q '^scratch: .*: [0-9]* requests (bound 15)' <<<"$out" || { echo "FAIL: no scratch figure"; exit 1; }
grep -q '^no-op: 20 routes applied' <<<"$out" || { echo "FAIL: no no-op figure"; exit 1; }
echo "2 passed, 0 failed"
