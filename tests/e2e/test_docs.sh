#!/usr/bin/env bash
# The man page and the bash completion are generated from the option table
# that `--help` and the parser use: the committed copies must be current
# (ci/gen-docs regenerates them), the man page must render without a groff
# warning and name every option of every `COMMAND --help`, and the
# completion must complete commands, options per command and option values
# in a real bash.
source "$(dirname "$0")/lib.sh"
man=$TRELLIS_SOURCE_DIR/docs/trellis.1
comp=$TRELLIS_SOURCE_DIR/contrib/bash-completion/trellis
command -v groff >/dev/null || fail "groff is needed (groff-base in ci/packages.txt)"

"$TRELLIS_BIN" help --man >"$E2E_TMP/trellis.1" || fail "help --man failed"
diff -u "$man" "$E2E_TMP/trellis.1" || fail "docs/trellis.1 is stale: run ci/gen-docs"
"$TRELLIS_BIN" help --completion bash >"$E2E_TMP/completion" || fail "help --completion bash failed"
diff -u "$comp" "$E2E_TMP/completion" || fail "contrib/bash-completion/trellis is stale: run ci/gen-docs"
"$TRELLIS_BIN" help --completion zsh >/dev/null 2>&1 && fail "--completion zsh should be refused"

warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1) || fail "groff failed on the man page"
[[ -z $warnings ]] || fail "groff warns: $warnings"
text=$(groff -man -Tutf8 -P-cbou "$man" 2>/dev/null)
for section in NAME SYNOPSIS DESCRIPTION COMMANDS "SOURCE OPTIONS" OPTIONS "EXIT STATUS" ENVIRONMENT; do
  grep -qx "$section" <<<"$text" || fail "man page lacks the $section section"
done
commands=$("$TRELLIS_BIN" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 {print $1}')
[[ -n $commands ]] || fail "no commands in --help"
for cmd in $commands; do
  grep -q "^   $cmd\$" <<<"$text" || fail "man page lacks command $cmd"
  for opt in $("$TRELLIS_BIN" "$cmd" --help | grep -oE '^  --[a-z-]+'); do
    grep -qE "^ +$opt( |\$)" <<<"$text" || fail "man page lacks $opt (trellis $cmd --help has it)"
  done
done
for code in 0 1 2 64; do
  grep -qE "^ +$code\$|^ +$code  " <<<"$text" || fail "man page lacks exit status $code"
done
grep -q "AWS_WEB_IDENTITY_TOKEN_FILE" <<<"$text" || fail "man page lacks the environment"

# The completion in bash: COMPREPLY for a command line.
complete_words() { # WORDS... (the last one is being completed)
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _trellis
    printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
want() { # EXPECTED WORDS...
  local expected=$1; shift
  local got; got=$(complete_words "$@")
  [[ $got == "$expected" ]] || fail "completing '$*': got '$got', want '$expected'"
}
want "plan" trellis pl
want "render" trellis re
want "--dry-run" trellis apply --dry
want "" trellis validate --dry
want "--format" trellis plan --form
want "json markdown text" trellis plan --format ""
want "github json text" trellis validate --format ""
want "always auto never" trellis plan --color ""
want "--man" trellis help --m
want "" trellis apply --max-deletes ""
mkdir -p "$E2E_TMP/cdir/cache-a" && touch "$E2E_TMP/cdir/cache-file"
(cd "$E2E_TMP/cdir" && [[ $(complete_words trellis plan --cache-dir cache) == "cache-a" ]]) \
  || fail "--cache-dir should complete folders only"
(cd "$E2E_TMP/cdir" && [[ $(complete_words trellis plan --config cache) == "cache-a cache-file" ]]) \
  || fail "--config should complete files"
# Every option of every command completes.
for cmd in $commands; do
  for opt in $("$TRELLIS_BIN" "$cmd" --help | grep -oE '^  --[a-z-]+'); do
    [[ " $(complete_words trellis "$cmd" "${opt:0:4}") " == *" $opt "* ]] \
      || fail "completion of trellis $cmd ${opt:0:4} lacks $opt"
  done
done
echo "ok: man page and bash completion are current and work"
