#!/usr/bin/env bash
# AWS requests of `trellis plan`, counted from the emulator's request log by
# bench/plan-requests (counting is not timing, so it is a test), at 20
# routes: the article's scenario from an empty account must take at most 15
# requests (issue #6; 8 today); a no-op plan of routes already applied at most 5 per
# route with a warm read cache (--cache-dir, issue #6's bound; 2.5 today),
# and at most 9 per route cold, without a cache (8.85 today: a Get per
# service, listener, rule and target group, since VPC Lattice's List calls
# omit the fields a plan compares; bench/README.md), so a change that adds
# reads fails here.
here=$(cd "$(dirname "$0")" && pwd)
[[ -x $TRELLIS_SOURCE_DIR/bench/plan-requests ]] || { echo "FAIL: bench/plan-requests missing"; exit 1; }
out=$(PER_ROUTE=5 COLD_PER_ROUTE=9 TRELLIS_BIN=$TRELLIS_BIN "$TRELLIS_SOURCE_DIR/bench/plan-requests" 20 2>&1) \
  || { echo "FAIL: request bounds: $out"; exit 1; }
echo "$out"
grep -q '^scratch: .*: [0-9]* requests (bound 15)' <<<"$out" || { echo "FAIL: no scratch figure"; exit 1; }
grep -q '^no-op, cold cache: 20 routes applied.* (bound 9)' <<<"$out" || { echo "FAIL: no cold no-op figure"; exit 1; }
grep -q '^no-op, warm cache: 20 routes applied.* (bound 5)' <<<"$out" || { echo "FAIL: no warm no-op figure"; exit 1; }
echo "3 passed, 0 failed"
