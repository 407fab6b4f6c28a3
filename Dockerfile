# syntax=docker/dockerfile:1
#
# trellis as a container image (examples/kubernetes/README.md).
#
#   docker build -t trellis .
#   docker run --rm --read-only -v trellis-cache:/var/cache/trellis \
#     -v "$PWD:/repo:ro" trellis validate --repo /repo --path examples
#
# The build stage installs the build packages of ci/packages.txt; the
# runtime stage only the shared libraries the binary links (checked against
# `ldd` by tests/e2e/test_container.sh, which also keeps both lists in step
# with ci/packages.txt).

ARG DEBIAN_IMAGE=debian:12-slim

FROM ${DEBIAN_IMAGE} AS build
# BUILD-PACKAGES: build-essential cmake pkg-config ca-certificates libgit2-dev libyaml-dev libcjson-dev libcurl4-openssl-dev libssl-dev libpcre2-dev libxml2-dev libgpgme-dev
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libgit2-dev libyaml-dev libcjson-dev libcurl4-openssl-dev libssl-dev \
      libpcre2-dev libxml2-dev libgpgme-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY src/ src/
COPY schemas/ schemas/
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTRELLIS_SANITIZE=OFF -DTRELLIS_TESTS=OFF \
 && cmake --build build -j"$(nproc)" \
 && strip build/trellis \
 && build/trellis version

FROM ${DEBIAN_IMAGE} AS runtime
# RUNTIME-PACKAGES: ca-certificates libgit2-1.5 libyaml-0-2 libcjson1 libcurl4 libssl3 libpcre2-8-0 libxml2 libgpgme11 gpg openssh-client
# (gpg and ssh-keygen check commit signatures: docs/signing.md)
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libgit2-1.5 libyaml-0-2 libcjson1 libcurl4 libssl3 \
      libpcre2-8-0 libxml2 \
      libgpgme11 gpg openssh-client \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
 && mkdir -p /var/cache/trellis /home/trellis \
 && chown 65532:65532 /var/cache/trellis /home/trellis
COPY --from=build /src/build/trellis /usr/local/bin/trellis
COPY examples/ /usr/share/trellis/examples/

# Non-root, and nothing written outside the two volumes: the root
# filesystem can be mounted read-only. Clones go to the cache volume
# (kept between runs) or to TMPDIR (removed at exit).
USER 65532:65532
ENV HOME=/home/trellis \
    TMPDIR=/tmp \
    TRELLIS_CACHE_DIR=/var/cache/trellis
VOLUME ["/var/cache/trellis", "/tmp"]
WORKDIR /home/trellis
# Exec form: no shell is started, at build or at run time.
ENTRYPOINT ["/usr/local/bin/trellis"]
CMD ["--help"]
