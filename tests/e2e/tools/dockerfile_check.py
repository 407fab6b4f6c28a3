#!/usr/bin/env python3
"""Checks the Dockerfile against ci/packages.txt and the built binary.

No container engine runs here, so what can be checked without one is:
  - the build stage installs exactly the building part of ci/packages.txt,
    and every pkg-config module CMakeLists.txt asks for comes from one of
    those packages;
  - the runtime stage installs exactly the packages of the shared libraries
    the binary links (readelf NEEDED, resolved with ldd, mapped with
    dpkg -S), and every library ldd loads comes with them;
  - the runtime stage is non-root, exec-form, and writes only to volumes;
  - .dockerignore lets through every file the Dockerfile copies.
Usage: dockerfile_check.py SOURCE_DIR BINARY SANITIZED(0|1)
Prints one line per problem and exits 1 when there is any.
"""
import json
import os
import re
import shlex
import subprocess
import sys

# In ci/packages.txt for the tests and fuzzing only, never for the binary.
TEST_ONLY_DEV = {"libcmocka-dev", "libclang-rt-14-dev"}
# Tools every build needs (besides the -dev packages).
BUILD_TOOLS = {"build-essential", "cmake", "pkg-config", "ca-certificates"}
# In every Debian image already; libc6 carries libc and libm.
BASE_IMAGE = {"libc6", "libgcc-s1"}
# Data, not a linked library: the CA bundle libcurl and libgit2 read.
RUNTIME_DATA = {"ca-certificates"}
# Programs trellis runs: gpg (through GPGME) and ssh-keygen check commit
# signatures (docs/signing.md).
RUNTIME_TOOLS = {"gpg", "openssh-client"}
SANITIZER_LIBS = ("libasan.so", "libubsan.so")

problems = []


def problem(msg):
    problems.append(msg)


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def stages(text):
    """[(name, [instruction lines])] with continuations joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.upper().startswith("FROM "):
            m = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", s, re.I)
            out.append((m.group(2) or m.group(1), m.group(1), []))
        elif out:
            out[-1][2].append(s)
        elif not s.upper().startswith("ARG "):
            problem(f"Dockerfile: instruction before the first FROM: {s}")
    return out


def apt_packages(instrs):
    pkgs = []
    for ins in instrs:
        if not ins.upper().startswith("RUN "):
            continue
        for part in ins[4:].split("&&"):
            words = shlex.split(part)
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1:]
                pkgs += [w for w in after if not w.startswith("-")]
    return pkgs


def candidates(path):
    cands = [path, os.path.realpath(path)]
    for p in list(cands):
        if p.startswith("/usr/lib/"):
            cands.append(p[4:])
        elif p.startswith("/lib/"):
            cands.append("/usr" + p)
    return cands


OWNERS = {}
ASKED = set()


def find_owners(paths):
    """One dpkg -S for every path (it reads the whole database each run)."""
    cands = sorted({c for p in paths for c in candidates(p)} - ASKED)
    if not cands:
        return
    ASKED.update(cands)
    r = run("dpkg", "-S", *cands)
    for line in r.stdout.splitlines():
        pkgs, _, path = line.partition(": ")
        OWNERS[path.strip()] = pkgs.split(",")[0].split(":")[0].strip()


def package_of(path):
    """The Debian package that owns a file, trying the merged-/usr twin."""
    find_owners([path])
    for p in candidates(path):
        if p in OWNERS:
            return OWNERS[p]
    return None


def depends_closure(roots):
    r = run("dpkg-query", "-W", "-f=${Package}\t${Depends},${Pre-Depends}\n")
    deps = {}
    for line in r.stdout.splitlines():
        pkg, _, d = line.partition("\t")
        names = []
        for alt in d.split(","):
            for name in alt.split("|"):
                name = re.sub(r"\(.*?\)|:any|:\w+$", "", name).strip()
                if name:
                    names.append(name)
        deps.setdefault(pkg, []).extend(names)
    seen, todo = set(), list(roots)
    while todo:
        pkg = todo.pop()
        if pkg not in seen:
            seen.add(pkg)
            todo.extend(deps.get(pkg, []))
    return seen


def ldd(binary):
    """{soname: path} of every library the loader would map."""
    libs = {}
    r = run("ldd", binary)
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+)\s+=>\s+(\S+)", line)
        if m and m.group(2) != "not":
            libs[m.group(1)] = m.group(2)
    return libs


def main():
    src, binary, sanitized = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    # dpkg -S answers once per test run (it is slow): an optional cache.
    cache = os.environ.get("DOCKERFILE_CHECK_CACHE")
    if cache and os.path.exists(cache):
        saved = json.load(open(cache))
        OWNERS.update(saved["owners"])
        ASKED.update(saved["asked"])
    check(src, binary, sanitized)
    if cache:
        json.dump({"owners": OWNERS, "asked": sorted(ASKED)}, open(cache, "w"))


def check(src, binary, sanitized):
    text = open(os.path.join(src, "Dockerfile")).read()
    st = stages(text)
    if len(st) < 2:
        problem("Dockerfile: expected a build stage and a runtime stage")
        return
    build, runtime = st[0], st[-1]
    for name, image, _ in st:
        image = image.replace("${DEBIAN_IMAGE}", "")
        if image and not image.startswith("debian:12"):
            problem(f"Dockerfile: stage {name} is not on Debian 12: {image}")
    m = re.search(r"^ARG DEBIAN_IMAGE=(\S+)", text, re.M)
    if not m or not m.group(1).startswith("debian:12"):
        problem("Dockerfile: ARG DEBIAN_IMAGE must name a debian:12 image")

    # Build stage vs ci/packages.txt.
    ci = [l.strip() for l in open(os.path.join(src, "ci/packages.txt"))
          if l.strip() and not l.startswith("#")]
    want_build = {p for p in ci if p.endswith("-dev")} - TEST_ONLY_DEV
    want_build |= BUILD_TOOLS
    got_build = set(apt_packages(build[2]))
    for p in sorted(got_build - set(ci)):
        problem(f"build stage installs {p}, which ci/packages.txt lacks")
    for p in sorted(want_build - got_build):
        problem(f"build stage lacks {p} (ci/packages.txt builds with it)")
    for p in sorted(got_build - want_build):
        problem(f"build stage installs {p}, not needed to build")
    cm = open(os.path.join(src, "CMakeLists.txt")).read()
    m = re.search(r"pkg_check_modules\(DEPS REQUIRED IMPORTED_TARGET([^)]*)\)",
                  cm)
    modules = m.group(1).split() if m else []
    if not modules:
        problem("CMakeLists.txt: no pkg_check_modules(DEPS ...) found")
    pcs = {}
    for mod in modules:
        pcdir = run("pkg-config", "--variable=pcfiledir", mod).stdout.strip()
        pcs[mod] = f"{pcdir}/{mod}.pc" if pcdir else None
    find_owners([p for p in pcs.values() if p])
    for mod in modules:
        pkg = package_of(pcs[mod]) if pcs[mod] else None
        if not pkg:
            problem(f"pkg-config module {mod}: no Debian package owns it")
        elif pkg not in got_build:
            problem(f"pkg-config module {mod} comes from {pkg}, "
                    "which the build stage does not install")

    # Runtime stage vs the binary.
    got_run = set(apt_packages(runtime[2]))
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]",
                        run("readelf", "-d", binary).stdout)
    libs = ldd(binary)
    find_owners(libs.values())
    if not needed or not libs:
        problem(f"{binary}: readelf/ldd found no shared library")
    want_run = set()
    for so in needed:
        if sanitized and so.startswith(SANITIZER_LIBS):
            continue
        if so not in libs:
            problem(f"{so}: ldd does not resolve it")
            continue
        pkg = package_of(libs[so])
        if not pkg:
            problem(f"{so} ({libs[so]}): no Debian package owns it")
        elif pkg not in BASE_IMAGE:
            want_run.add(pkg)
    for p in sorted(want_run - got_run):
        problem(f"runtime stage lacks {p} (the binary links it)")
    for p in sorted(RUNTIME_TOOLS - got_run):
        problem(f"runtime stage lacks {p} (trellis runs it)")
    for p in sorted(got_run - want_run - RUNTIME_DATA - RUNTIME_TOOLS):
        problem(f"runtime stage installs {p}, which the binary does not link")
    closure = depends_closure(got_run | BASE_IMAGE)
    skip = set()
    if sanitized:
        for so, path in libs.items():
            if so.startswith(SANITIZER_LIBS):
                skip |= set(ldd(path)) | {so}
    for so, path in sorted(libs.items()):
        if so in skip and so not in needed:
            continue
        if sanitized and so.startswith(SANITIZER_LIBS):
            continue
        pkg = package_of(path)
        if pkg and pkg not in closure:
            problem(f"{so} comes from {pkg}, which no runtime package "
                    "depends on")

    # Runtime hardening.
    ins = runtime[2]
    users = [i.split(None, 1)[1] for i in ins if i.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problem("runtime stage: must end as a non-root USER")
    ep = [i for i in ins if i.upper().startswith("ENTRYPOINT ")]
    if not ep or not ep[-1].split(None, 1)[1].startswith("["):
        problem("runtime stage: ENTRYPOINT must be in exec form (no shell)")
    vols = " ".join(i for i in ins if i.upper().startswith("VOLUME "))
    env = " ".join(i for i in ins if i.upper().startswith("ENV "))
    for var in ("TMPDIR", "TRELLIS_CACHE_DIR"):
        m = re.search(var + r"=(\S+)", env)
        if not m:
            problem(f"runtime stage: ENV {var} is not set")
        elif f'"{m.group(1)}"' not in vols:
            problem(f"runtime stage: {var}={m.group(1)} is not a VOLUME "
                    "(the root filesystem may be read-only)")
    after_user = ins[[i.upper().startswith("USER ") for i in ins].index(True):] \
        if users else []
    for i in after_user:
        if i.upper().startswith("RUN "):
            problem(f"runtime stage: RUN after USER needs a shell: {i}")

    # .dockerignore lets every copied path through.
    ign = [l.strip() for l in open(os.path.join(src, ".dockerignore"))
           if l.strip() and not l.startswith("#")]
    if not ign or ign[0] != "*":
        problem(".dockerignore: start with '*' and allow what is copied")
    allowed = [l[1:].rstrip("/") for l in ign if l.startswith("!")]
    for name, _, ins in st:
        for i in ins:
            if not i.upper().startswith("COPY ") or "--from=" in i:
                continue
            for srcpath in shlex.split(i)[1:-1]:
                p = srcpath.rstrip("/")
                if not any(p == a or p.startswith(a + "/") for a in allowed):
                    problem(f".dockerignore hides {srcpath}, which "
                            f"stage {name} copies")
                if not os.path.exists(os.path.join(src, p)):
                    problem(f"stage {name} copies {srcpath}, which does "
                            "not exist")
    print(" ".join(allowed))


if __name__ == "__main__":
    main()
    for p in problems:
        print("FAIL: " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)
