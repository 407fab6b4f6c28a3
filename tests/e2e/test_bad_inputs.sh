#!/usr/bin/env bash
# The bad-input catalogue (tests/data/bad-inputs/): trellis validate and
# trellis render on each hostile or broken repository must answer with the
# expected exit code and a diagnostic at the file and line, without a crash or
# a sanitizer report, within a time and a memory bound, and without one AWS
# request (the emulator runs and AWS_ENDPOINT_URL points at it, so a request
# would be seen rather than fail quietly).
#
# usage: test_bad_inputs.sh [CASE]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
only=${1:-}

# Bounds, measured then doubled or more. The time bound is on CPU time
# (user + system): wall time on two cores shared with other builds measured
# up to 6 s for a 1 s run; a wall-clock limit far above it still catches a
# hang. Worst cases measured: huge-list and million-docs, on the ASan
# build 0.75 s CPU and 93 MB peak RSS, on the release build 0.28 s and 38 MB.
if [[ ${TRELLIS_SANITIZED:-0} == 1 ]]; then
  max_seconds=5 max_rss_kb=$((250 * 1024))
else
  max_seconds=2 max_rss_kb=$((100 * 1024))
fi
max_wall=30
[[ -x /usr/bin/time ]] || fail "/usr/bin/time is missing (ci/install-deps installs it)"

cases=$E2E_TMP/cases
mkdir -p "$cases"
"$TRELLIS_SOURCE_DIR/tests/data/bad-inputs/generate" "$cases" ${only:+"$only"}
start_emulator

# want CASE RC [REGEX...]: each REGEX must match a line of the output (validate
# prints diagnostics on stdout, render on stderr; both are searched).
# lacks CASE REGEX: no line of either command's output may match.
# file-level CASE: its errors are about a whole file (too big to read, a
# symlink refused), so they name the file without a line.
declare -A want_rc want_re lacks_re file_level
want() { want_rc[$1]=$2; local c=$1; shift 2; local r; for r in "$@"; do want_re[$c]+="$r"$'\n'; done; }
lacks() { lacks_re[$1]+="$2"$'\n'; }

# Exit 1, diagnostic at the offending line.
want alias-bomb 1 '^bomb\.yaml:11:16: error: document expands to more than 200000 nodes .*\[yaml\.too-large\]$'
want alias-bomb-route 1 '^route\.yaml:9:32: error: document expands to more than 200000 nodes'
want deep-flow 1 '^deep\.yaml:5:70: error: nesting deeper than 64 levels \[yaml\.too-deep\]$'
want deep-flow-map 1 '^deep\.yaml:2:256: error: nesting deeper than 64 levels'
want deep-block-seq 1 '^deep\.yaml:3:127: error: nesting deeper than 64 levels'
want deep-block-map 1 '^deep\.yaml:69:65: error: nesting deeper than 64 levels'
want huge-scalar 1 '^big\.yaml: error: file is 104857[0-9]{3} bytes, over the cap of 8388608 bytes; skipped \[source\.file-too-large\]$'
file_level[huge-scalar]=1
want large-scalar 1 '^big\.yaml:6:9: error: scalar of 1048576 bytes is larger than the 262144-byte limit'
want invalid-utf8 1 '^bad\.yaml:4:13: error: invalid input: .*UTF-8.*\[yaml\.encoding\]$'
want nul-bytes 1 '^nul\.yaml:4:10: error: .*byte 0x00.*\[yaml\.encoding\]$'
want tab-indent 1 '^tabs\.yaml:4:1: error: .*tabs are not allowed for indentation.*\[yaml\.syntax\]$'
want duplicate-keys 1 '^dup\.yaml:5:3: error: mapping key "name" already defined at line 4 \[yaml\.duplicate-key\]$'
want wrong-types 1 \
  '^route\.yaml:4:9: error: metadata\.name: .*must be of type string' \
  '^route\.yaml:5:14: error: metadata\.namespace: .*must be of type string' \
  '^route\.yaml:6:11: error: metadata\.labels: .*must be of type object' \
  '^route\.yaml:7:16: error: metadata\.annotations: .*must be of type object' \
  '^route\.yaml:9:14: error: spec\.hostnames: .*must be of type array' \
  '^route\.yaml:11:5: error: spec\.parentRefs: .*must be of type array' \
  '^route\.yaml:13:16: error: spec\.rules\[0\]\.matches: .*must be of type array' \
  '^route\.yaml:15:17: error: spec\.rules\[0\]\.backendRefs\[0\]\.name: .*must be of type string' \
  '^route\.yaml:16:17: error: spec\.rules\[0\]\.backendRefs\[0\]\.kind: .*must be of type string' \
  '^route\.yaml:17:17: error: spec\.rules\[0\]\.backendRefs\[0\]\.port: .*must be of type integer' \
  '^route\.yaml:18:19: error: spec\.rules\[0\]\.backendRefs\[0\]\.weight: .*must be of type integer' \
  '^route\.yaml:19:16: error: spec\.rules\[1\]\.filters: .*must be of type array' \
  '^route\.yaml:20:17: error: spec\.rules\[1\]\.timeouts: .*must be of type object'
want wrong-types-header 1 '^route\.yaml:1:13: error: apiVersion: must be a string' '^route\.yaml:2:7: error: kind: must be a string'
want symlink-passwd 1 "^passwd\.yaml: error: symbolic link to '/etc/passwd' leaves the repository; refused \[source\.symlink-escape\]$"
file_level[symlink-passwd]=1
lacks symlink-passwd 'root:'
want symlink-escape 1 "^escape: error: symbolic link to '.*symlink-escape\.outside' leaves the repository; refused"
file_level[symlink-escape]=1
lacks symlink-escape '"outside"'
want path-escape 1 '^trellis\.yaml:6:11: error: clusters\[0\]\.path: .*inside the repository'
want huge-list 1 '^route\.yaml:7:5: error: spec\.hostnames: Too many: 100000: must have at most 16 items'
want huge-list-over-cap 1 '^list\.yaml:100003:5: error: collection has more than 100000 entries \[yaml\.too-large\]$'
want million-docs 1 '^docs\.yaml:20001:1: error: more than 20000 documents in one file \[yaml\.too-large\]$'
want lookalike-kind 1 '^gw\.yaml:2:7: error: kind: .*U\+0430.*did you mean Gateway\?'
want lookalike-parent 1 '^route\.yaml:7:13: error: spec\.parentRefs\[0\]\.name: Gateway default/eks-lаttice is not in cluster default; did you mean eks-lattice\? \(character 6 of eks-lаttice is U\+0430, not ASCII\)'
want utf16-no-bom 1 '^gw\.yaml:1:2: error: .*\[yaml\.encoding\]$'
want json-trailing-comma 1 "^gw\.json:6:1: error: invalid JSON at '}': a trailing comma is not allowed in JSON \[json\.syntax\]$"
# Exit 0: these inputs are fine.
want utf16 0 '^valid: 1 document in 1 file'          # YAML allows UTF-16 with a BOM
want bom-crlf 0 '^valid: 1 document in 1 file'       # a UTF-8 BOM and CRLF are valid YAML
want empty-file 0 '^valid: 0 documents in 1 file'    # no document
want only-separator 0 '^valid: 0 documents in 1 file' # one empty document

pass=0 failed=0
check() {
  local name=$1 cmd=$2 repo=$cases/$1 problems=() rc=0
  local out=$E2E_TMP/out err=$E2E_TMP/err both=$E2E_TMP/both
  (cd "$E2E_TMP" && timeout "$max_wall" /usr/bin/time -f '%M %U %S %e' -o "$E2E_TMP/time" \
    "$TRELLIS_BIN" "$cmd" --repo "$repo" >"$out" 2>"$err") || rc=$?
  local rss=0 user=0 sys=0 wall=$max_wall secs
  read -r rss user sys wall < <(tail -1 "$E2E_TMP/time")
  secs=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  cat "$out" "$err" >"$both"
  [[ $rc == "${want_rc[$name]}" ]] || problems+=("exit code $rc, want ${want_rc[$name]}")
  grep -qE 'Sanitizer|runtime error:|Segmentation|Aborted' "$err" && problems+=("crash or sanitizer report")
  local re wants=${want_re[$name]:-}
  # A fine input renders a model; its regexes are validate's summary.
  if [[ $cmd == render && ${want_rc[$name]} == 0 ]]; then
    wants=
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null || problems+=("render printed no JSON model")
  fi
  while IFS= read -r re; do
    [[ -z $re ]] || grep -qE -- "$re" "$both" || problems+=("no line matches: $re")
  done <<<"$wants"
  while IFS= read -r re; do
    [[ -z $re ]] || ! grep -qE -- "$re" "$both" || problems+=("a line matches: $re")
  done <<<"${lacks_re[$name]:-}"
  # Every error names its file, and its line and column unless it is about
  # the whole file.
  local loc='^[^: ]+:[0-9]+:[0-9]+: (error|unsupported): '
  [[ -n ${file_level[$name]:-} ]] && loc='^[^: ]+(:[0-9]+:[0-9]+)?: (error|unsupported): '
  # grep -c, not -q: under pipefail an early-exiting reader can fail the
  # writer (SIGPIPE) and hide the match.
  if [[ $(grep -E ': (error|unsupported): ' "$both" | grep -cvE "$loc") != 0 ]]; then
    problems+=("an error without its file and line: $(grep -E ': error: ' "$both" | grep -vE "$loc" | head -1)")
  fi
  ((rc != 124)) || problems+=("still running after $max_wall s")
  awk -v s="$secs" -v m="$max_seconds" 'BEGIN { exit !(s <= m) }' || problems+=("took $secs s of CPU, bound $max_seconds s")
  ((rss <= max_rss_kb)) || problems+=("peak RSS $rss KB, bound $max_rss_kb KB")
  if ((${#problems[@]})); then
    failed=$((failed + 1))
    echo "FAIL $name: trellis $cmd"
    printf '  %s\n' "${problems[@]}"
    echo "  --- output"; cut -c1-300 "$both" | head -20 | sed 's/^/  | /'
  else
    pass=$((pass + 1))
    printf 'ok %-22s %-8s rc=%s %5s s CPU %5s s wall %6s KB\n' "$name" "$cmd" "$rc" "$secs" "$wall" "$rss"
  fi
}

for dir in "$cases"/*/; do
  name=$(basename "$dir")
  [[ $name == *.outside ]] && continue
  [[ -n ${want_rc[$name]:-} ]] || fail "case $name has no expectation in this script"
  check "$name" validate
  check "$name" render
done

requests=$(emulator GET /_emulator/requests)
n=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["requests"]))' "$requests")
((n == 0)) || { echo "FAIL: $n AWS requests during validate and render:"; echo "$requests" | head -c 2000; failed=$((failed + 1)); }

echo "$pass passed, $failed failed"
((failed == 0))
