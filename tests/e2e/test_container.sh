#!/usr/bin/env bash
# The Dockerfile cannot be built here (no container engine), so this checks
# what can be checked without one (tools/dockerfile_check.py): the build
# stage's packages against ci/packages.txt and CMakeLists.txt, the runtime
# stage's against the libraries the binary links, the runtime hardening and
# .dockerignore. Mutated copies prove the checker catches each drift; the
# build context that .dockerignore lets through must configure with CMake.
source "$(dirname "$0")/lib.sh"
check=$TRELLIS_SOURCE_DIR/tests/e2e/tools/dockerfile_check.py
export DOCKERFILE_CHECK_CACHE=$E2E_TMP/dpkg-owners.json
sanitized=0
[[ ${TRELLIS_SANITIZED:-0} == 1 || ${TRELLIS_SANITIZED:-} == true ]] && sanitized=1
for tool in python3 readelf ldd dpkg-query cmake; do
  command -v "$tool" >/dev/null || fail "$tool is needed for this test"
done

allowed=$(python3 "$check" "$TRELLIS_SOURCE_DIR" "$TRELLIS_BIN" "$sanitized") \
  || fail "the Dockerfile disagrees with ci/ or with the binary (above)"

# Each mutation must be caught, with a message naming the problem.
mutate() { # NAME SED-EXPR EXPECTED-MESSAGE
  local dir=$E2E_TMP/$1
  mkdir -p "$dir/ci"
  cp "$TRELLIS_SOURCE_DIR"/{Dockerfile,.dockerignore,CMakeLists.txt} "$dir/"
  cp "$TRELLIS_SOURCE_DIR/ci/packages.txt" "$dir/ci/"
  ln -s "$TRELLIS_SOURCE_DIR"/{src,schemas,examples} "$dir/"
  sed -i "$2" "$dir/${4:-Dockerfile}"
  if python3 "$check" "$dir" "$TRELLIS_BIN" "$sanitized" >/dev/null 2>"$dir/err"; then
    fail "mutation $1 was not caught"
  fi
  grep -qF -- "$3" "$dir/err" || { cat "$dir/err"; fail "mutation $1: no message '$3'"; }
}
mutate runtime-lacks-lib 's/ libxml2 \\$/ \\/; s/      libpcre2-8-0 libxml2 \\/      libpcre2-8-0 \\/' \
  "runtime stage lacks libxml2"
mutate runtime-extra 's/libpcre2-8-0 libxml2/libpcre2-8-0 libxml2 libsqlite3-0/' \
  "runtime stage installs libsqlite3-0"
mutate build-lacks-dev 's/libpcre2-dev libxml2-dev/libpcre2-dev/' \
  "build stage lacks libxml2-dev"
mutate build-not-in-ci 's/^libyaml-dev$/libyaml-devel/' \
  "build stage installs libyaml-dev, which ci/packages.txt lacks" ci/packages.txt
mutate root-user 's/^USER 65532:65532$/USER root/' "non-root USER"
mutate shell-entrypoint 's|^ENTRYPOINT .*|ENTRYPOINT /usr/local/bin/trellis|' "exec form"
mutate cache-not-volume 's|^VOLUME .*|VOLUME ["/tmp"]|' "TRELLIS_CACHE_DIR=/var/cache/trellis is not a VOLUME"
mutate ignored-copy '/^!examples\/$/d' ".dockerignore hides examples/" .dockerignore
mutate not-debian-12 's/^ARG DEBIAN_IMAGE=.*/ARG DEBIAN_IMAGE=ubuntu:24.04/' "debian:12"

# The context .dockerignore lets through is enough for the build stage's
# CMake (configure only: the binary under test was built from the same
# files).
ctx=$E2E_TMP/context
mkdir -p "$ctx"
for p in $allowed; do cp -r "$TRELLIS_SOURCE_DIR/$p" "$ctx/$p"; done
cmake -S "$ctx" -B "$ctx/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTRELLIS_SANITIZE=OFF -DTRELLIS_TESTS=OFF >"$E2E_TMP/cmake.log" 2>&1 \
  || { cat "$E2E_TMP/cmake.log"; fail "the docker build context does not configure"; }
echo "ok: Dockerfile consistent with ci/packages.txt and $(basename "$TRELLIS_BIN")'s libraries"
