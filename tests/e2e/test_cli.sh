#!/usr/bin/env bash
# Data-driven tests of the trellis command line. Each folder under cli/ is a
# case: a `case` file and optionally a `repo/` tree the case reads.
#
# case file lines (key: value):
#   args: ARGS             arguments, word-split; $REPO, $DATA, $CASE expand
#   env: NAME=VALUE        set in trellis's environment (repeatable)
#   rc: N                  expected exit code
#   stdout: TEXT           a line that must appear in stdout (exactly)
#   stdout-contains: TEXT  a substring of stdout
#   stdout-lacks: TEXT     must not appear in stdout
#   stderr-contains: TEXT  a substring of stderr
#   stderr-empty           stderr must be empty
#   stdout-json            stdout must be valid JSON
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TRELLIS_BIN:?set TRELLIS_BIN}
DATA=${TRELLIS_TEST_DATA:-$here/../data}
only=${1:-}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for dir in "$here"/cli/*/; do
  name=$(basename "$dir")
  [[ -n $only && $name != "$only" ]] && continue
  CASE=$dir REPO=$dir/repo
  args=() envs=() rc_want=0 problems=()
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^args:\ (.*)$ ]] && eval "args=(${BASH_REMATCH[1]})"
    [[ $line =~ ^env:\ (.*)$ ]] && envs+=("${BASH_REMATCH[1]}")
  done < "$dir/case"
  (cd "$tmp" && env "${envs[@]}" "$bin" "${args[@]}" >"$tmp/out" 2>"$tmp/err")
  rc=$?
  while IFS= read -r line || [[ -n $line ]]; do
    key=${line%%:*} val=${line#*: }
    case $key in
      rc) [[ $rc == "$val" ]] || problems+=("exit code $rc, want $val") ;;
      stdout) grep -qxF -- "$val" "$tmp/out" || problems+=("stdout lacks line: $val") ;;
      stdout-contains) grep -qF -- "$val" "$tmp/out" || problems+=("stdout lacks: $val") ;;
      stdout-lacks) grep -qF -- "$val" "$tmp/out" && problems+=("stdout has: $val") ;;
      stderr-contains) grep -qF -- "$val" "$tmp/err" || problems+=("stderr lacks: $val") ;;
      stderr-empty) [[ -s $tmp/err ]] && problems+=("stderr not empty") ;;
      stdout-json) python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null || problems+=("stdout is not JSON") ;;
    esac
  done < "$dir/case"
  if ((${#problems[@]})); then
    fail=$((fail + 1))
    echo "FAIL $name: trellis ${args[*]}"
    printf '  %s\n' "${problems[@]}"
    echo "  --- stdout"; sed 's/^/  | /' "$tmp/out" | head -40
    echo "  --- stderr"; sed 's/^/  | /' "$tmp/err" | head -40
  else
    pass=$((pass + 1))
  fi
done
echo "$pass passed, $fail failed"
((fail == 0))
