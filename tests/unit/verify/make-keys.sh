#!/usr/bin/env bash
# Makes the keys and signatures tests/unit/verify/test_verify.c checks, in
# DIR, with the real gpg and ssh-keygen (as users sign commits):
#   payload, payload.alice.asc (OpenPGP, trusted), payload.mallory.asc
#   (OpenPGP, not trusted), payload.carol.asc (trusted, revoked later),
#   payload.bob.sig (SSH, trusted), payload.sam.sig (SSH, not trusted),
#   payload.old.sig (SSH, trusted until 2020), trust/{alice,carol}.asc,
#   allowed_signers, alice.asc, bob.allowed, empty/ (a folder without keys).
set -euo pipefail
dir=$1
mkdir -p -m 700 "$dir/gnupg"
mkdir -p "$dir/trust" "$dir/empty" "$dir/ssh"
G() { gpg --homedir "$dir/gnupg" --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
printf 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor t <t@example.invalid> 1700000000 +0000\n\nsigned payload\n' >"$dir/payload"
for who in alice mallory carol; do
  name="$(tr a-z A-Z <<<"${who:0:1}")${who:1}"
  G --quick-gen-key "$name <$who@example.com>" ed25519 sign 1y
  G --armor --local-user "$who@example.com" --detach-sign --output "$dir/payload.$who.asc" "$dir/payload"
done
G --armor --export alice@example.com >"$dir/trust/alice.asc"
cp "$dir/trust/alice.asc" "$dir/alice.asc"
# Carol's key as the operator has it: revoked after she signed.
carol=$(G --list-keys --with-colons carol@example.com | awk -F: '/^fpr/ {print $10; exit}')
sed 's/^:-----/-----/' "$dir/gnupg/openpgp-revocs.d/$carol.rev" | G --import 2>/dev/null
G --armor --export carol@example.com >"$dir/trust/carol.asc"
for k in bob sam old; do
  ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$dir/ssh/$k"
  ssh-keygen -q -Y sign -n git -f "$dir/ssh/$k" "$dir/payload" 2>/dev/null
  mv "$dir/payload.sig" "$dir/payload.$k.sig"
done
{ printf 'bob@example.com namespaces="git" %s\n' "$(cat "$dir/ssh/bob.pub")"
  printf 'old@example.com valid-before="20200101" %s\n' "$(cat "$dir/ssh/old.pub")"; } >"$dir/allowed_signers"
printf 'bob@example.com %s\n' "$(cat "$dir/ssh/bob.pub")" >"$dir/bob.allowed"
gpgconf --homedir "$dir/gnupg" --kill gpg-agent >/dev/null 2>&1 || true
