# Shared helpers for end-to-end tests (sourced).
#   start_emulator      starts tests/emulator/run on a free port; sets
#                       EMULATOR_URL and exports the AWS_* settings trellis
#                       needs to reach it; stops it at exit.
#   emulator GET|POST PATH [JSON]   talks to its control endpoints.
set -euo pipefail
TRELLIS_BIN=${TRELLIS_BIN:?set TRELLIS_BIN}
TRELLIS_SOURCE_DIR=${TRELLIS_SOURCE_DIR:?set TRELLIS_SOURCE_DIR}
E2E_TMP=$(mktemp -d)
EMULATOR_PID=

cleanup_e2e() {
  if [[ -n $EMULATOR_PID ]]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
  fi
  rm -rf "$E2E_TMP"
}
trap cleanup_e2e EXIT

start_emulator() {
  local out=$E2E_TMP/emulator.out
  "$TRELLIS_SOURCE_DIR/tests/emulator/run" --port 0 "$@" >"$out" 2>"$E2E_TMP/emulator.err" &
  EMULATOR_PID=$!
  for _ in $(seq 1 600); do
    if [[ -s $out ]] && head -1 "$out" | grep -q '^listening '; then break; fi
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      echo "emulator failed to start:"; cat "$E2E_TMP/emulator.err"; exit 1
    fi
    sleep 0.1
  done
  EMULATOR_URL=$(head -1 "$out" | sed 's/^listening //')
  [[ $EMULATOR_URL == http://127.0.0.1:* ]] || { echo "emulator did not say where it listens"; exit 1; }
  export AWS_ENDPOINT_URL=$EMULATOR_URL
  export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
  export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
  export AWS_REGION=us-west-2
  unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
  export AWS_EC2_METADATA_DISABLED=true
}

emulator() {
  local method=$1 path=$2 body=${3:-}
  if [[ -n $body ]]; then
    curl -sf -X "$method" -H 'Content-Type: application/json' --data "$body" "$EMULATOR_URL$path"
  else
    curl -sf -X "$method" "$EMULATOR_URL$path"
  fi
}

fail() { echo "FAIL: $*"; exit 1; }

# What examples/ expects to find in the account: the private hosted zone
# named under dns in examples/trellis.yaml. Call after start_emulator and
# after every reset.
seed_examples() {
  emulator POST /_emulator/seed "$(cat "$TRELLIS_SOURCE_DIR/tests/data/examples-world.json")" >/dev/null \
    || fail "seeding the examples' world failed"
}
