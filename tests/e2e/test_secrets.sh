#!/usr/bin/env bash
# No secret leaves trellis. A canary is planted in every credentials source
# trellis reads (AWS environment, a ~/.aws/credentials profile, a web identity
# token file, the TRELLIS_GIT_* variables, a token in a git URL, a token in a
# repository's own remote), then every command runs in each output format,
# failing on purpose (AWS refuses the secret, the remote is unreachable, the
# manifests are broken), and stdout, stderr and every file the run writes
# (its working folder, TMPDIR, the clone cache, HOME) are searched for each
# canary as written, URL-encoded, and inside a basic-auth header.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
start_emulator

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
unset TRELLIS_GIT_USERNAME TRELLIS_GIT_PASSWORD TRELLIS_GIT_TOKEN TRELLIS_GIT_SSH_KEY \
  TRELLIS_GIT_SSH_KEY_PASSPHRASE TRELLIS_CACHE_DIR

# Canaries carry '/', '+' and '=' like AWS secrets do, so that their
# URL-encoded form differs from the raw one.
r=$RANDOM$RANDOM
declare -A canary=(
  [env-secret]="cnryEnvSecret/$r+a=" [env-token]="cnryEnvToken/$r+b="
  [profile-secret]="cnryProfileSecret/$r+c=" [profile-token]="cnryProfileToken/$r+d="
  [web-token]="cnryWebIdentity.$r.e" [git-password]="cnryGitPassword/$r+f="
  [git-token]="cnryGitToken$r" [git-passphrase]="cnryGitPassphrase/$r+g="
  [url-token]="cnryUrlToken$r" [remote-token]="cnryRemoteToken$r"
  [cache-url-token]="cnryCacheUrl$r"
)
# Each canary as it may appear: raw, URL-encoded, and base64 of the
# "user:secret" pair an HTTP basic-auth header would carry.
forms=$E2E_TMP/forms
python3 - "$forms" "${canary[@]}" <<'PY'
import base64, sys, urllib.parse
with open(sys.argv[1], "w") as f:
    for c in sys.argv[2:]:
        for form in {c, urllib.parse.quote(c, safe=""), urllib.parse.quote_plus(c)}:
            f.write(form + "\n")
        for user in ("user", "x-access-token", "git"):
            f.write(base64.b64encode(f"{user}:{c}".encode()).decode().rstrip("=") + "\n")
PY

# The search itself must find a leak: a canary, encoded, in a stray file.
printf 'x=%s\n' "$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "${canary[git-password]}")" >"$E2E_TMP/selfcheck"
grep -aqFf "$forms" "$E2E_TMP/selfcheck" || fail "the canary search misses a URL-encoded canary"

# A port nothing listens on: bound, then closed.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Repositories: a work tree whose origin carries a token (v1 valid, v2 with a
# change, main broken), and a bare clone of it whose config carries one too.
work=$E2E_TMP/work
git init -q -b main "$work"
mkdir -p "$work/b"
cp "$TRELLIS_SOURCE_DIR/examples/clusters/cluster-b/"*.yaml "$work/b/"
# Its auth policy names cluster A and its client role, which this
# one-cluster repository lacks.
rm "$work/b/auth-datastore.yaml"
git -C "$work" add -A && git -C "$work" commit -qm v1 && git -C "$work" tag v1
sed -i 's/weight: 50$/weight: 70/' "$work/b/route-datastore.yaml"
git -C "$work" commit -qam v2 && git -C "$work" tag v2
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n' >"$work/b/broken.yaml"
git -C "$work" add -A && git -C "$work" commit -qm broken
git -C "$work" remote add origin "https://user:${canary[remote-token]}@127.0.0.1:$closed/org/repo.git"
bare=$E2E_TMP/repo.git
git clone -q --bare "$work" "$bare"
git -C "$bare" config remote.origin.url "https://user:${canary[remote-token]}@127.0.0.1:$closed/org/repo.git"

# HOME with a credentials profile and an encrypted SSH key.
home=$E2E_TMP/home
mkdir -p "$home/.aws" "$home/.ssh"
cat >"$home/.aws/credentials" <<EOF
[canary]
aws_access_key_id = AKIDCANARYPROFILE
aws_secret_access_key = ${canary[profile-secret]}
aws_session_token = ${canary[profile-token]}
EOF
printf '[profile canary]\nregion = us-west-2\n' >"$home/.aws/config"
printf '%s' "${canary[web-token]}" >"$E2E_TMP/web-identity-token"
ssh-keygen -q -t ed25519 -N "${canary[git-passphrase]}" -f "$home/.ssh/id_canary" -C canary
# Files that hold a canary on purpose; everything else is searched.
planted=("$home/.aws/credentials" "$home/.ssh/id_canary" "$E2E_TMP/web-identity-token")

git_env=(TRELLIS_GIT_USERNAME=user "TRELLIS_GIT_PASSWORD=${canary[git-password]}"
  "TRELLIS_GIT_TOKEN=${canary[git-token]}" "TRELLIS_GIT_SSH_KEY=$home/.ssh/id_canary"
  "TRELLIS_GIT_SSH_KEY_PASSPHRASE=${canary[git-passphrase]}")
# The three ways AWS credentials arrive; the git variables ride along.
aws_env() {
  case $1 in
    env) echo "AWS_SECRET_ACCESS_KEY=${canary[env-secret]}" "AWS_SESSION_TOKEN=${canary[env-token]}" ;;
    profile) echo "-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=canary" ;;
    web) echo "-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_ROLE_ARN=arn:aws:iam::123456789012:role/canary" \
      "AWS_ROLE_SESSION_NAME=canary AWS_WEB_IDENTITY_TOKEN_FILE=$E2E_TMP/web-identity-token" ;;
  esac
}

url="https://user:${canary[url-token]}@127.0.0.1:$closed/org/repo.git"
cache_url="https://user:${canary[cache-url-token]}@127.0.0.1:$closed/org/repo.git"
commands=(
  "whoami --debug"
  "whoami --debug --verbose"
)
for fmt in text json github; do
  commands+=("validate --debug --format $fmt --repo $work"
    "validate --debug --format $fmt --repo $work --ref v1"
    "validate --debug --format $fmt --repo file://$bare --ref main"
    "validate --debug --format $fmt --repo $url"
    "validate --debug --format $fmt --repo https://127.0.0.1:$closed/org/repo.git"
    "validate --debug --format $fmt --repo ssh://git@127.0.0.1:$closed/org/repo.git")
done
commands+=(
  "render --debug --repo $work --ref v1"
  "render --debug --repo $work"
  "render --debug --repo file://$bare --ref v2"
  "render --debug --repo $url"
  "render --debug --repo file://$bare --ref v1 --cache-dir CACHE"
  "validate --debug --repo $cache_url --cache-dir CACHE"
  "validate --debug --repo file://$bare --cache-dir CACHE"
)
for fmt in text json markdown; do
  commands+=("diff --debug --format $fmt --repo file://$bare --from v1 --to v2"
    "diff --debug --format $fmt --repo $work --from v1 --to main"
    "diff --debug --format $fmt --repo $url --from v1 --to v2")
done

# The AWS sources matter to the commands that may talk to AWS; the git
# matrix runs once, with the environment source.
aws_commands=("whoami --debug" "whoami --debug --verbose"
  "validate --debug --format json --repo $url" "diff --debug --format markdown --repo $work --from v1 --to v2")

pass=0 leaks=0 n=0 use_git_env=1
# run_one SOURCE ENV_OVERRIDES ARGS: ENV_OVERRIDES (space-separated
# VAR=value) come after the git variables and win over them.
run_one() {
  local source=$1 overrides=$2 args=$3 run rc=0 f p skip hit found=
  n=$((n + 1))
  run=$E2E_TMP/run/$n
  mkdir -p "$run/cwd" "$run/tmp" "$run/cache"
  args=${args//CACHE/$run/cache}
  # shellcheck disable=SC2046,SC2086
  local genv=("${git_env[@]}")
  ((use_git_env)) || genv=()
  (cd "$run/cwd" && env $(aws_env "$source") "${genv[@]}" $overrides HOME="$home" \
    TMPDIR="$run/tmp" timeout 60 "$TRELLIS_BIN" $args >"$run/stdout" 2>"$run/stderr") || rc=$?
  echo "$rc" >"$run/rc"
  if [[ $rc != 0 && $rc != 1 ]] || grep -qE 'Sanitizer|runtime error:' "$run/stderr"; then
    echo "FAIL [$source] trellis $args: exit $rc"; sed 's/^/  | /' "$run/stderr" | head -20
    leaks=$((leaks + 1)); return
  fi
  # Everything the run wrote, and anything new under HOME.
  local files=("$run/stdout" "$run/stderr")
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$run" "$home" -type f -print0)
  for f in "${files[@]}"; do
    skip=; for p in "${planted[@]}"; do [[ $f == "$p" ]] && skip=1; done
    [[ -n $skip ]] && continue
    if hit=$(grep -aoFf "$forms" "$f" | head -1) && [[ -n $hit ]]; then
      found+="  ${f#"$E2E_TMP"/} holds $hit"$'\n'
    fi
  done
  if [[ -n $found ]]; then
    leaks=$((leaks + 1))
    echo "LEAK [$source] trellis $args (exit $rc):"; printf '%s' "$found"
  else
    pass=$((pass + 1))
  fi
}

for source in env profile web; do
  if [[ $source == env ]]; then list=("${commands[@]}"); else list=("${aws_commands[@]}"); fi
  for cmd in "${list[@]}"; do run_one "$source" "" "$cmd"; done
done

# Live servers on loopback (HTTPS with basic auth, SSH): a refused secret,
# and an accepted one whose clone lands in the cache, where libgit2 would
# keep a URL with credentials in .git/config if it were given one.
servers=$E2E_TMP/servers
mkdir -p "$servers"
bash "$TRELLIS_SOURCE_DIR/tests/unit/source/git-servers.sh" start "$servers" $$ >/dev/null
trap 'bash "$TRELLIS_SOURCE_DIR/tests/unit/source/git-servers.sh" stop "$servers" >/dev/null 2>&1 || true; cleanup_e2e' EXIT
# Its env file is KEY=value lines, some values with spaces: read, not sourced.
while IFS='=' read -r key value; do declare "$key=$value"; done <"$servers/env"
printf '%s\n' "$HTTP_PASSWORD" "$LOCKED_PASSPHRASE" >>"$forms"
planted+=("$LOCKED_KEY")
https="127.0.0.1:$HTTPS_PORT/git/origin.git"
ssh_url="ssh://$SSH_USER@127.0.0.1:$SSH_PORT$REPO_PATH"
# libgit2 1.5.1 and libssh2 1.10 leak under every SSH connect (see
# tests/unit/source/test_servers.c); LeakSanitizer is told so for SSH runs.
printf 'leak:libssh2.so\nleak:git_remote_connect_ext\n' >"$E2E_TMP/lsan.supp"
ssh_san="LSAN_OPTIONS=suppressions=$E2E_TMP/lsan.supp ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0"
n0=$n
run_one env "" "validate --debug --ca-file $CA --repo https://trellis:${canary[url-token]}@$https"
run_one env "" "validate --debug --format json --ca-file $CA --repo https://$https --cache-dir CACHE"
run_one env "TRELLIS_GIT_USERNAME=$HTTP_USER TRELLIS_GIT_PASSWORD=$HTTP_PASSWORD" \
  "render --debug --ca-file $CA --repo https://$https --cache-dir CACHE"
# The URL's credentials alone (the TRELLIS_GIT_* variables would win).
use_git_env=0
run_one env "" "diff --debug --format markdown --ca-file $CA --repo https://$HTTP_USER:$HTTP_PASSWORD@$https --from v1 --to main --cache-dir CACHE"
use_git_env=1
run_one env "TRELLIS_GIT_SSH_KEY=$LOCKED_KEY TRELLIS_GIT_KNOWN_HOSTS=$KNOWN_HOSTS $ssh_san" \
  "validate --debug --format github --repo $ssh_url"
run_one env "TRELLIS_GIT_SSH_KEY=$LOCKED_KEY TRELLIS_GIT_KNOWN_HOSTS=$KNOWN_HOSTS TRELLIS_GIT_SSH_KEY_PASSPHRASE=$LOCKED_PASSPHRASE $ssh_san" \
  "render --debug --repo $ssh_url --cache-dir CACHE"
# The accepted ones must have cloned, or the cache check is empty. (The
# served repository's trellis.yaml is a stub, so validation itself fails.)
for i in 3 4 6; do
  d=$E2E_TMP/run/$((n0 + i))
  [[ -n $(ls -A "$d/cache") ]] && ! grep -q '\[source\.' "$d/stdout" "$d/stderr" \
    || { echo "FAIL: live run $i did not clone: $(cat "$d/stderr")"; leaks=$((leaks + 1)); }
done
for i in 1 2 5; do
  [[ $(cat "$E2E_TMP/run/$((n0 + i))/rc") == 1 ]] \
    || { echo "FAIL: live run $i was not refused"; leaks=$((leaks + 1)); }
done

# The runs reached the emulator with the planted AWS secrets, so the check
# above is about trellis's own outputs, not about a request never made.
requests=$(emulator GET /_emulator/requests)
python3 - "$requests" <<'PY' || leaks=$((leaks + 1))
import json, sys
reqs = json.loads(sys.argv[1])["requests"]
ops = {r["operation"] for r in reqs}
if not {"GetCallerIdentity", "AssumeRoleWithWebIdentity"} <= ops:
    sys.exit("FAIL: whoami did not reach the emulator with every source: %s" % sorted(ops))
if any(r.get("mutating") for r in reqs):
    sys.exit("FAIL: a mutating request was made")
PY

echo "$pass passed, $leaks failed ($n runs)"
((leaks == 0))
