#!/usr/bin/env bash
# Signed commits (issue 12). Real gpg and ssh-keygen create keys (in temp
# folders, no passphrase, batch mode) and sign commits of a test repository:
# good OpenPGP and SSH signatures, unsigned, wrongly signed (the message
# changed after signing), tampered (the tree swapped after signing), signed
# by an untrusted key, by an expired or a revoked key, and by a trusted
# signer whom the path's trellis.yaml does not allow. The repository is
# served over the HTTPS and SSH test servers; plan and apply must refuse
# every bad case before any AWS request (the emulator's request log stays
# empty), naming the commit, the signer and the reason, and go ahead with
# the good ones. validate, render and diff only report, unless
# --require-signed. Nothing here may read the user's ~/.gnupg: HOME and
# GNUPGHOME point at a decoy keyring that trusts the untrusted key.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator
seed_examples
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
for b in gpg gpgconf ssh-keygen git python3; do
  command -v "$b" >/dev/null || fail "missing $b (ci/install-deps installs gnupg, openssh-client)"
done

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset TRELLIS_GIT_USERNAME TRELLIS_GIT_PASSWORD TRELLIS_GIT_TOKEN TRELLIS_GIT_SSH_KEY \
  TRELLIS_GIT_SSH_KEY_PASSPHRASE TRELLIS_CACHE_DIR TRELLIS_VERIFY_KEYS TRELLIS_ALLOWED_SIGNERS
home=$E2E_TMP/home
mkdir -p "$home"
export HOME=$home

# --- keys ------------------------------------------------------------------
signer=$E2E_TMP/signer-gnupg   # the signers' own keyring (secret keys)
mkdir -m 700 "$signer"
trap 'gpgconf --homedir "$signer" --kill gpg-agent >/dev/null 2>&1 || true
      [[ -n ${servers:-} ]] && bash "$TRELLIS_SOURCE_DIR/tests/unit/source/git-servers.sh" stop "$servers" >/dev/null 2>&1
      cleanup_e2e' EXIT
G() { gpg --homedir "$signer" --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
fpr_of() { G --list-keys --with-colons "$1" | awk -F: '/^fpr/ {print $10; exit}'; }
G --quick-gen-key 'Alice <alice@example.com>' ed25519 sign 1y
G --quick-gen-key 'Mallory <mallory@example.com>' ed25519 sign 1y
G --quick-gen-key 'Carol <carol@example.com>' ed25519 sign 1y
alice=$(fpr_of alice@example.com) mallory=$(fpr_of mallory@example.com)
carol=$(fpr_of carol@example.com)
[[ -n $alice && -n $mallory && -n $carol ]] || fail "test setup: gpg made no keys"

sshk=$E2E_TMP/ssh-keys
mkdir -p "$sshk"
for k in bob sam old; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$sshk/$k"; done
fp() { ssh-keygen -lf "$sshk/$1.pub" | cut -d' ' -f2; }

# --- the repository ----------------------------------------------------------
work=$E2E_TMP/work
git init -q -b main "$work"
cp -r "$TRELLIS_SOURCE_DIR/examples/." "$work/"
gitc() { git -C "$work" -c user.name=t -c user.email=t@example.invalid "$@"; }
gpgc() { # KEY_EMAIL git-args...: a commit signed with that OpenPGP key
  local key=$1; shift
  GNUPGHOME=$signer gitc -c gpg.format=openpgp -c user.signingkey="$key" commit -q -S "$@"
}
sshc() { # KEY git-args...: a commit signed with that SSH key
  local key=$1; shift
  gitc -c gpg.format=ssh -c user.signingkey="$sshk/$key" commit -q -S "$@"
}
# Tag names avoid "-g": libgit2 1.5 reads "name-g<hex>" as git describe
# output with a regex whose match data it leaks (LeakSanitizer would fail).
gitc add -A && gitc commit -qm base && gitc tag base
gpgc alice@example.com --allow-empty -m 'good, OpenPGP' && gitc tag pgp-ok
sshc bob --allow-empty -m 'good, SSH' && gitc tag ssh-ok
# trellis.yaml asks that every commit since pgp-ok be signed.
printf 'verify:\n  mode:\n    all-since: pgp-ok\n' >>"$work/trellis.yaml"
gitc add -A && gpgc alice@example.com -m 'all signed since pgp-ok' && gitc tag all-ok
gitc commit -q --allow-empty -m 'sneaked in, unsigned' && gitc tag sneaked
gpgc alice@example.com --allow-empty -m 'signed on top of an unsigned one' && gitc tag all-bad
# Side commits on top of pgp-ok, one per case.
side() { gitc checkout -q --detach pgp-ok; }
side && gitc commit -q --allow-empty -m unsigned && gitc tag unsigned
side && gpgc mallory@example.com --allow-empty -m untrusted && gitc tag untrusted-pgp
side && sshc sam --allow-empty -m 'untrusted, SSH' && gitc tag untrusted-ssh
side && sshc old --allow-empty -m 'expired, SSH' && gitc tag expired-ssh
# Eve's key lives 10 seconds: long enough to sign, expired when checked.
G --quick-gen-key 'Eve <eve@example.com>' ed25519 sign seconds=10
eve_until=$(($(date +%s) + 11))
side && gpgc eve@example.com --allow-empty -m expiring && gitc tag expired-pgp
side && gpgc carol@example.com --allow-empty -m revoked && gitc tag revoked-pgp
# The path's trellis.yaml allows only bob (SSH): alice is trusted by the
# operator but not allowed here; bob is.
side && printf 'verify:\n  allowedSigners: signers/allowed\n' >>"$work/trellis.yaml" &&
  mkdir -p "$work/signers" && printf 'bob@example.com %s\n' "$(cat "$sshk/bob.pub")" >"$work/signers/allowed" &&
  gitc add -A && gpgc alice@example.com -m 'narrowed to bob' && gitc tag not-allowed &&
  sshc bob --allow-empty -m 'bob, allowed' && gitc tag narrowed-ok
gitc checkout -q main
# Forgeries from signed commits: the message changed (the signature no
# longer matches), the tree swapped for one with an extra route (tampered).
forge() { # TAG SED-EXPR NEW-TAG
  gitc cat-file commit "$1" | sed "$2" >"$E2E_TMP/forged"
  gitc tag "$3" "$(gitc hash-object -t commit -w "$E2E_TMP/forged")"
}
forge pgp-ok 's/^good, OpenPGP$/good, OpenPGP (edited)/' wrong-pgp
forge ssh-ok 's/^good, SSH$/good, SSH (edited)/' wrong-ssh
cp "$work/clusters/cluster-b/route-datastore.yaml" "$E2E_TMP/route.yaml"
sed 's/name: datastore$/name: evil/; s/datastore\.lattice\.io/evil.lattice.io/' "$E2E_TMP/route.yaml" >"$work/clusters/cluster-b/route-evil.yaml"
gitc add -A && evil_tree=$(gitc write-tree) && gitc reset -q --hard && rm -f "$work/clusters/cluster-b/route-evil.yaml"
forge pgp-ok "1s/^tree .*/tree $evil_tree/" tampered
[[ $(gitc cat-file commit wrong-pgp | grep -c 'BEGIN PGP SIGNATURE') == 1 ]] || fail "test setup: forged commit lost its signature"
GNUPGHOME=$signer git -C "$work" verify-commit pgp-ok >/dev/null 2>&1 || fail "test setup: git does not verify pgp-ok"
GNUPGHOME=$signer git -C "$work" verify-commit wrong-pgp >/dev/null 2>&1 && fail "test setup: git verifies the forgery"
cid() { gitc rev-parse "$1^{commit}"; }
eve=$(fpr_of eve@example.com)

# Carol's key is revoked after she signed; the operator's copy shows it.
sed 's/^:-----/-----/' "$signer/openpgp-revocs.d/$carol.rev" | G --import 2>/dev/null

# --- the trust root (the operator's) -------------------------------------------
trust=$E2E_TMP/trust
mkdir -p "$trust/keys"
G --armor --export alice@example.com >"$trust/keys/alice.asc"
G --armor --export carol@example.com >"$trust/keys/carol.asc"
G --export eve@example.com >"$trust/keys/eve.gpg" # binary works too
{ printf 'bob@example.com namespaces="git" %s\n' "$(cat "$sshk/bob.pub")"
  printf 'old@example.com valid-before="20200101" %s\n' "$(cat "$sshk/old.pub")"; } >"$trust/allowed_signers"

# A decoy keyring where trellis must not look: it trusts mallory fully.
decoy=$E2E_TMP/decoy-gnupg
cp -r "$signer" "$decoy"
cp -r "$signer" "$home/.gnupg"
export GNUPGHOME=$decoy
snapshot() { find "$decoy" "$home" -type f -exec md5sum {} + | sort; }
before=$(snapshot)
# trellis's own temp folders go here, to be checked at the end.
export TMPDIR=$E2E_TMP/tmp
mkdir -p "$TMPDIR"

# --- servers -------------------------------------------------------------------
servers=$E2E_TMP/servers
mkdir -p "$servers"
bash "$TRELLIS_SOURCE_DIR/tests/unit/source/git-servers.sh" start "$servers" $$ >/dev/null
while IFS='=' read -r key value; do declare "$key=$value"; done <"$servers/env"
git clone -q --bare "$work" "$servers/repos/signed.git"
git -C "$servers/repos/signed.git" update-server-info
https_url="https://127.0.0.1:$HTTPS_PORT/git/signed.git"
ssh_url="ssh://$SSH_USER@127.0.0.1:$SSH_PORT$servers/repos/signed.git"
# libgit2 1.5.1 and libssh2 1.10 leak under every SSH connect (see
# tests/unit/source/test_servers.c); LeakSanitizer is told so.
printf 'leak:libssh2.so\nleak:git_remote_connect_ext\n' >"$E2E_TMP/lsan.supp"
https_env=(TRELLIS_GIT_USERNAME="$HTTP_USER" TRELLIS_GIT_PASSWORD="$HTTP_PASSWORD" TRELLIS_GIT_CA_FILE="$CA")
ssh_env=(TRELLIS_GIT_SSH_KEY="$SSH_KEY" TRELLIS_GIT_KNOWN_HOSTS="$KNOWN_HOSTS"
  LSAN_OPTIONS="suppressions=$E2E_TMP/lsan.supp" ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0)
roots=(--verify-keys "$trust/keys" --allowed-signers "$trust/allowed_signers")

# Eve's key must have expired by now.
while (($(date +%s) <= eve_until)); do sleep 1; done

# run TRANSPORT EXPECTED_RC trellis-args...: output in $out; the number of
# AWS requests it made in $requests.
run() {
  local transport=$1 want=$2 rc=0; shift 2
  local env=("${https_env[@]}") url=$https_url
  [[ $transport == ssh ]] && env=("${ssh_env[@]}") url=$ssh_url
  # The same bare repository without a server, where the transport is
  # not the point (and the machine's time is short).
  [[ $transport == file ]] && env=(TRELLIS_GIT_CA_FILE="$CA") url=file://$servers/repos/signed.git
  emulator DELETE /_emulator/requests >/dev/null
  out=$(env "${env[@]}" "$TRELLIS_BIN" "$1" --repo "$url" --cache-dir "$E2E_TMP/cache-$transport" "${@:2}" 2>&1) || rc=$?
  requests=$(emulator GET /_emulator/requests | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')
  grep -qE 'Sanitizer|runtime error:' <<<"$out" && fail "trellis $*: sanitizer report: $out"
  [[ $rc == "$want" ]] || fail "trellis $* over $transport exited $rc, not $want: $out"
}
# refused TRANSPORT TAG COMMAND PATTERN...: exit 1, zero AWS requests, and
# each pattern in the output.
refused() {
  local transport=$1 tag=$2 cmd=$3 p; shift 3
  run "$transport" 1 "$cmd" --ref "$tag" "${roots[@]}"
  ((requests == 0)) || fail "$cmd $tag: refused after $requests AWS requests: $out"
  grep -q "commit $(cid "$tag")" <<<"$out" || fail "$cmd $tag: the commit is not named: $out"
  for p in "$@"; do grep -qF -- "$p" <<<"$out" || fail "$cmd $tag: no '$p' in: $out"; done
  ok "$cmd over $transport refuses $tag before any AWS request: $(grep -m1 'error: commit' <<<"$out" | cut -c1-160)"
}

# --- plan and apply: the good ones go ahead ------------------------------------------
run https 0 plan --ref pgp-ok "${roots[@]}"
grep -qF "commit $(cid pgp-ok) is signed by a trusted signer (Alice <alice@example.com>, OpenPGP key $alice)" <<<"$out" \
  || fail "plan pgp-ok: signer not reported: $out"
((requests > 0)) || fail "plan pgp-ok made no AWS request"
grep -qE '^Plan: [0-9]+ to add' <<<"$out" || fail "plan pgp-ok: no plan: $out"
ok "plan over HTTPS of a commit signed by a trusted OpenPGP key ($requests AWS requests)"

run ssh 0 apply --ref ssh-ok "${roots[@]}"
grep -qF "commit $(cid ssh-ok) is signed by a trusted signer (bob@example.com, SSH key $(fp bob))" <<<"$out" \
  || fail "apply ssh-ok: signer not reported: $out"
grep -qE '^Apply complete: [0-9]+ done, 0 failed' <<<"$out" || fail "apply ssh-ok did not apply: $out"
ok "apply over SSH of a commit signed by a trusted SSH key"

run https 0 plan --ref all-ok "${roots[@]}"
grep -q 'so are all commits since pgp-ok' <<<"$out" || fail "all-since not reported: $out"
ok "verify mode all-since: every commit since pgp-ok is signed"

run ssh 0 plan --ref narrowed-ok "${roots[@]}"
ok "trellis.yaml narrowing to bob: bob's commit is accepted"

# Saved plans record the verified commit and signer; apply --plan fetches
# the plan's commit again and verifies it before any AWS request.
run https 0 plan --ref pgp-ok "${roots[@]}" --out "$E2E_TMP/signed.plan"
python3 - "$E2E_TMP/signed.plan" "$(cid pgp-ok)" "$alice" <<'PY' || fail "plan --out: no verified source"
import json, sys
src = json.load(open(sys.argv[1]))["source"]
assert src["commit"] == sys.argv[2], src
assert src["verified"] == {"kind": "OpenPGP", "signer": "Alice <alice@example.com>", "key": sys.argv[3]}, src
PY
apply_plan() { # EXPECTED_RC PLANFILE
  local rc=0
  emulator DELETE /_emulator/requests >/dev/null
  out=$(env "${https_env[@]}" "$TRELLIS_BIN" apply --plan "$2" "${roots[@]}" 2>&1) || rc=$?
  requests=$(emulator GET /_emulator/requests | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')
  [[ $rc == "$1" ]] || fail "apply --plan $2 exited $rc, not $1: $out"
}
apply_plan 0 "$E2E_TMP/signed.plan"
grep -qF "commit $(cid pgp-ok) is signed by a trusted signer" <<<"$out" || fail "apply --plan did not verify: $out"
ok "plan --out records the verified commit and signer; apply --plan verifies it again"
sed "s/$(cid pgp-ok)/$(cid unsigned)/" "$E2E_TMP/signed.plan" >"$E2E_TMP/swapped.plan"
apply_plan 1 "$E2E_TMP/swapped.plan"
grep -qF "commit $(cid unsigned): unsigned" <<<"$out" && ((requests == 0)) || fail "swapped plan: $out"
ok "apply --plan refuses a plan whose commit is not the verified one, before any AWS request"
run file 0 plan --ref pgp-ok --out "$E2E_TMP/unverified.plan"
apply_plan 1 "$E2E_TMP/unverified.plan"
grep -q 'made without signature verification' <<<"$out" && ((requests == 0)) || fail "unverified plan: $out"
ok "apply --plan with a trust root refuses a plan made without one"

# The trust root from the environment works the same.
emulator DELETE /_emulator/requests >/dev/null
out=$(env "${https_env[@]}" TRELLIS_VERIFY_KEYS="$trust/keys/alice.asc" "$TRELLIS_BIN" plan --repo "$https_url" \
  --ref untrusted-pgp 2>&1) && fail "TRELLIS_VERIFY_KEYS ignored: $out"
grep -q 'unknown key' <<<"$out" || fail "TRELLIS_VERIFY_KEYS: $out"
ok "TRELLIS_VERIFY_KEYS is a trust root"

# --- plan and apply: the bad ones are refused, before any AWS request ----------------------
refused https unsigned plan "unsigned: the commit is not signed"
refused https untrusted-pgp plan "unknown key" "OpenPGP key $mallory"
refused ssh untrusted-ssh apply "unknown key" "SSH key $(fp sam)"
refused https wrong-pgp apply "bad signature" "Alice <alice@example.com>"
refused ssh wrong-ssh plan "bad signature" "SSH key $(fp bob)"
refused https tampered apply "bad signature" "changed after signing"
refused https expired-pgp plan "expired key" "Eve <eve@example.com>"
refused ssh expired-ssh apply "expired key" "key has expired" "SSH key $(fp old)"
refused https revoked-pgp apply "revoked key" "Carol <carol@example.com>"
refused ssh not-allowed plan "signer not allowed" "Alice <alice@example.com>" "verify.allowedSigners"
run https 1 plan --ref all-bad "${roots[@]}"
((requests == 0)) || fail "all-bad: $requests AWS requests"
grep -qF "commit $(cid sneaked): unsigned" <<<"$out" || fail "all-bad: the unsigned commit is not named: $out"
ok "verify mode all-since: an unsigned commit under a signed head is named and refused"
# The evil route never reached AWS.
[[ $(emulator GET /_emulator/state) != *evil* ]] || fail "the tampered tree reached AWS"

# trellis.yaml asks for verification but no trust root is given.
run file 1 plan --ref all-ok
grep -q 'no trust root was given' <<<"$out" && ((requests == 0)) || fail "config without trust root: $out"
ok "verify: in trellis.yaml without a trust root is refused (the repository cannot vouch for itself)"

# --- validate, render, diff report; --require-signed refuses --------------------------------
run file 0 validate --ref untrusted-pgp "${roots[@]}"
grep -q 'warning: commit .*unknown key.*\[verify.unknown-key\]' <<<"$out" || fail "validate report: $out"
run file 1 validate --ref untrusted-pgp "${roots[@]}" --require-signed
grep -q 'error: commit .*unknown key' <<<"$out" || fail "validate --require-signed: $out"
ok "validate reports an untrusted signer, and fails on it with --require-signed"
run file 0 render --ref unsigned "${roots[@]}"
run file 1 render --ref unsigned "${roots[@]}" --require-signed
run file 0 render --ref pgp-ok "${roots[@]}" --require-signed
ok "render: reports, refuses unsigned with --require-signed, accepts a good one"
run file 0 diff --from base --to tampered "${roots[@]}"
grep -q 'warning: commit .*bad signature' <<<"$out" || fail "diff report: $out"
run file 1 diff --from base --to tampered "${roots[@]}" --require-signed
run file 0 diff --from base --to pgp-ok "${roots[@]}" --require-signed
ok "diff: the --to commit's signature is reported, and enforced with --require-signed"
run file 1 validate --ref pgp-ok --require-signed
grep -q 'needs a trust root' <<<"$out" || fail "--require-signed without keys: $out"
ok "--require-signed without a trust root is an error"

# --- the keyring is trellis's own ------------------------------------------------------------
[[ $(snapshot) == "$before" ]] || fail "trellis touched HOME or GNUPGHOME: $(diff <(echo "$before") <(snapshot))"
leftover=$(ls -A "$TMPDIR")
[[ -z $leftover ]] || fail "temporary folders left behind: $leftover"
ok "the user's keyring (a decoy that trusts mallory) was neither used nor touched; no temp folder left"

echo "$pass passed, 0 failed"
