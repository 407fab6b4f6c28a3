# Helpers for the hostile-endpoint tests (sourced after lib.sh).
#   start_upstream       starts the emulator with the canary credentials.
#   start_hostile MODE   empties the emulator, starts tests/e2e/hostile_aws.py
#                        in MODE in front of it, points the AWS settings at it
#                        and sets HOSTILE_PID and WITNESS_LOG; stop_hostile
#                        ends it.
HOSTILE_SECRET="cnryHostileSecret/$RANDOM$RANDOM+z="
HOSTILE_PID=
WITNESS_LOG=

start_upstream() {
  start_emulator --access-key AKIDHOSTILE --secret-key "$HOSTILE_SECRET"
}

stop_hostile() {
  if [[ -n $HOSTILE_PID ]]; then
    kill "$HOSTILE_PID" 2>/dev/null || true
    wait "$HOSTILE_PID" 2>/dev/null || true
    HOSTILE_PID=
  fi
}

start_hostile() {
  local mode=$1 ready=$E2E_TMP/hostile.ready
  rm -f "$ready"
  emulator POST /_emulator/reset '{}' >/dev/null || fail "cannot reset the emulator"
  seed_examples
  WITNESS_LOG=$E2E_TMP/witness.$mode
  : >"$WITNESS_LOG"
  python3 "$TRELLIS_SOURCE_DIR/tests/e2e/hostile_aws.py" --mode "$mode" --upstream "$EMULATOR_URL" --ready "$ready" \
    --witness-log "$WITNESS_LOG" 2>"$E2E_TMP/hostile.err" &
  HOSTILE_PID=$!
  for _ in $(seq 1 100); do
    [[ -s $ready ]] && break
    kill -0 "$HOSTILE_PID" 2>/dev/null || fail "hostile server ($mode) did not start: $(cat "$E2E_TMP/hostile.err")"
    sleep 0.1
  done
  [[ -s $ready ]] || fail "hostile server ($mode) did not say where it listens"
  local port
  read -r port _ <"$ready"
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port
  export AWS_ACCESS_KEY_ID=AKIDHOSTILE AWS_SECRET_ACCESS_KEY=$HOSTILE_SECRET AWS_REGION=us-west-2
  export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=2
  unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
}
