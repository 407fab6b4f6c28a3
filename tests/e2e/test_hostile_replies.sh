#!/usr/bin/env bash
# A hostile or broken AWS endpoint (tests/e2e/hostile_aws.py, in front of
# the emulator, breaking one service's replies at a time): truncated,
# empty, huge and malformed bodies, wrong content types, missing fields,
# nesting bombs, XML entity tricks, absurd Retry-After values, endless
# pagination, redirects to another host, dropped connections, odd statuses,
# and writes answered with garbage. For each: trellis exits 1 with a message
# naming the operation and what was wrong, in bounded time, without a
# sanitizer report, without following the redirect (the witness server,
# standing for another host, receives nothing), and without printing the
# secret key.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/hostile_lib.sh"
trap 'stop_hostile; cleanup_e2e' EXIT
start_upstream

# mode | command | what stderr (or, for apply, stdout+stderr) must say
cases=(
  "truncated|plan|ListServiceNetworks: request failed: Transferred a partial file"
  "html|plan|ListServiceNetworks: the reply is not JSON"
  "empty-200|plan|ListServiceNetworks: the reply is empty"
  "invalid-json|plan|ListServiceNetworks: the reply is not JSON"
  "wrong-types|plan|ListServiceNetworks: the reply has no \"items\" list"
  "missing-fields|plan|ListServiceNetworks: the reply holds an item without a string \"id\""
  "json-bomb|plan|ListServiceNetworks: the reply is not JSON"
  "huge|plan|ListServiceNetworks: the reply is larger than the 16 MiB trellis accepts"
  "huge-header|plan|ListServiceNetworks: request failed: the reply's headers are larger than curl accepts"
  "retry-after-absurd|plan|ListServiceNetworks: ThrottlingException (HTTP 429): slow down [request id hostile-1] after 2 attempts"
  "retry-after-day|plan|ListServiceNetworks: ServiceUnavailableException (HTTP 503): come back tomorrow [request id hostile-1] after 2 attempts"
  "redirect|plan|ListServiceNetworks: error (HTTP 307): the endpoint answered with a redirect, which trellis never follows"
  "redirect-301|plan|ListServiceNetworks: error (HTTP 301): the endpoint answered with a redirect, which trellis never follows"
  "same-page|plan|ListServiceNetworks: bad reply: pagination repeated a page"
  "endless-pages|plan|ListServiceNetworks: the endpoint is still paginating after 1000 pages; stopped"
  "drop|plan|ListServiceNetworks: request failed: Server returned nothing"
  "error-html-500|plan|ListServiceNetworks: error (HTTP 500) [request id hostile-1] after 2 attempts"
  "error-garbage-400|plan|ListServiceNetworks: error (HTTP 400)"
  "status-999|plan|ListServiceNetworks: error (HTTP 999)"
  "sts-invalid-xml|plan|sts GetCallerIdentity: bad reply: unreadable GetCallerIdentity reply"
  "sts-missing-account|whoami|sts GetCallerIdentity: bad reply: unreadable GetCallerIdentity reply"
  "sts-json|whoami|sts GetCallerIdentity: bad reply: unreadable GetCallerIdentity reply"
  "sts-entity-bomb|whoami|sts GetCallerIdentity: bad reply: unreadable GetCallerIdentity reply"
  "sts-external-entity|whoami|sts GetCallerIdentity: bad reply: unreadable GetCallerIdentity reply"
  "sts-deep-xml|whoami|sts GetCallerIdentity: bad reply: unreadable GetCallerIdentity reply"
  "create-html|apply|create service_network.eks-lattice-network failed: vpc-lattice CreateServiceNetwork: the reply is not JSON with an \"id\""
  "create-missing-id|apply|create service.datastore-apps failed: vpc-lattice CreateService: the reply is not JSON with an \"id\""
  "create-conflict-forever|apply|create service_network.eks-lattice-network failed: vpc-lattice CreateServiceNetwork: ConflictException (HTTP 409): busy"
)

pass=0
for c in "${cases[@]}"; do
  IFS='|' read -r mode cmd want <<<"$c"
  start_hostile "$mode"
  args=("$cmd")
  [[ $cmd == whoami ]] || args+=(--repo "$TRELLIS_SOURCE_DIR/examples")
  rc=0
  # The bound only catches a hang: every case ends in seconds.
  timeout 240 "$TRELLIS_BIN" "${args[@]}" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
  stop_hostile
  [[ $rc != 124 ]] || fail "$mode: trellis $cmd did not finish in 240 s"
  [[ $rc == 1 ]] || fail "$mode: trellis $cmd exited $rc, want 1: $(tail -c 3000 "$E2E_TMP/err")"
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$E2E_TMP/err"; then
    fail "$mode: sanitizer report: $(head -c 4000 "$E2E_TMP/err")"
  fi
  grep -qF -- "$want" "$E2E_TMP/err" ||
    fail "$mode: stderr lacks '$want': $(tail -c 2000 "$E2E_TMP/err")"
  if grep -qF -- "$HOSTILE_SECRET" "$E2E_TMP/out" "$E2E_TMP/err"; then
    fail "$mode: the secret key was printed"
  fi
  grep -q 'root:x:0' "$E2E_TMP/out" "$E2E_TMP/err" && fail "$mode: a local file's content was printed"
  [[ ! -s $WITNESS_LOG ]] || fail "$mode: another host was contacted: $(cat "$WITNESS_LOG")"
  # plan reads only: it never gets as far as proposing anything on a bad read.
  if [[ $cmd == plan ]] && grep -q 'to add' "$E2E_TMP/out"; then
    fail "$mode: a plan was printed from a broken read"
  fi
  echo "ok: $mode ($cmd)"
  pass=$((pass + 1))
done
[[ $pass == "${#cases[@]}" ]] || fail "ran $pass of ${#cases[@]} cases"
echo "ok: $pass hostile endpoints handled"
