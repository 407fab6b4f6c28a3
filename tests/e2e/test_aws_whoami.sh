#!/usr/bin/env bash
# trellis whoami against the emulator: the caller's identity, --debug lines
# for each request, and no secret in any output even when AWS says no.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator

out=$("$TRELLIS_BIN" whoami --debug 2>"$E2E_TMP/err") || fail "whoami failed: $(cat "$E2E_TMP/err")"
grep -qx 'account: 123456789012' <<<"$out" || fail "no account in: $out"
grep -q '^arn: arn:aws:iam::123456789012:' <<<"$out" || fail "no arn in: $out"
grep -Eq '^debug: aws: POST sts GetCallerIdentity status=200 attempt=1 ms=[0-9]+$' "$E2E_TMP/err" \
  || fail "no debug line: $(cat "$E2E_TMP/err")"
echo "ok: whoami and its debug line"

# A wrong secret and a session token, both canaries: refused, never shown.
secret=CANARY-SECRET-$RANDOM$RANDOM
token=CANARY-TOKEN-$RANDOM$RANDOM
rc=0
AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
  "$TRELLIS_BIN" whoami --debug >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
[[ $rc == 1 ]] || fail "whoami with a wrong secret exited $rc"
grep -q 'sts GetCallerIdentity: ' "$E2E_TMP/err" || fail "no clear error: $(cat "$E2E_TMP/err")"
if grep -q -e "$secret" -e "$token" "$E2E_TMP/out" "$E2E_TMP/err"; then
  fail "a secret was printed"
fi
echo "ok: refused credentials, nothing secret printed"

# No credentials at all: a clear one-line error.
rc=0
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME="$E2E_TMP" \
  AWS_CONTAINER_CREDENTIALS_FULL_URI= "$TRELLIS_BIN" whoami >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
[[ $rc == 1 ]] || fail "whoami without credentials exited $rc"
[[ $(wc -l <"$E2E_TMP/err") == 1 ]] || fail "not one line: $(cat "$E2E_TMP/err")"
echo "ok: no credentials: $(cat "$E2E_TMP/err")"
echo "3 passed, 0 failed"
