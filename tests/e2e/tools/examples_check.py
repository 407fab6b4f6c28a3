#!/usr/bin/env python3
"""Checks the deployment examples against the code.

  examples_check.py iam SOURCE_DIR
      examples/kubernetes/iam-policy.json grants exactly the AWS actions the
      code calls (the op table of src/aws/service.c, intersected with the
      operation names the rest of src/ uses), plus the actions AWS checks on
      trellis's behalf for them, and no wildcard.
  examples_check.py k8s SOURCE_DIR TRELLIS_BIN
      the manifests under examples/kubernetes/ are well-formed Kubernetes
      objects with the fields a CronJob deployment needs, and every trellis
      flag they pass exists (`trellis COMMAND --help`).
  examples_check.py ci SOURCE_DIR TRELLIS_BIN
      the pipelines under examples/ci/ have the structure their CI systems
      need and use only trellis flags that exist.
Prints one line per problem; exits 1 when there is any.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

problems = []


def problem(msg):
    problems.append(msg)


IAM_PREFIX = {"LATTICE": "vpc-lattice", "ROUTE53": "route53", "ACM": "acm",
              "IAM": "iam", "STS": "sts", "TAGGING": "tag"}
# STS calls need no identity-policy permission: GetCallerIdentity is always
# allowed, and the AssumeRole* calls are allowed by the target role's trust
# policy (iam-trust-*.json), not by the role trellis runs as.
NO_PERMISSION = {"sts:GetCallerIdentity", "sts:AssumeRole",
                 "sts:AssumeRoleWithWebIdentity"}
# What AWS checks on the caller's behalf when it serves an operation
# (VPC Lattice user guide, "VPC Lattice API permissions"; service-linked
# role on first use).
COMPANIONS = {
    "vpc-lattice:CreateServiceNetworkVpcAssociation":
        ["ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"],
    "vpc-lattice:UpdateServiceNetworkVpcAssociation":
        ["ec2:DescribeSecurityGroups"],
    "vpc-lattice:CreateTargetGroup": ["ec2:DescribeVpcs"],
    "vpc-lattice:CreateServiceNetwork": ["iam:CreateServiceLinkedRole"],
    "vpc-lattice:CreateService": ["iam:CreateServiceLinkedRole"],
}
OWNER_TAG = "trellis/owner"


def called_actions(src):
    """IAM actions of the operations the code calls."""
    table = open(os.path.join(src, "src/aws/service.c")).read()
    ops = {}
    for svc, name in re.findall(r'\{TR_AWS_(\w+), "(\w+)", "[A-Z]+", "', table):
        if name in ops and ops[name] != svc:
            problem(f"operation {name} is in two services; "
                    "the IAM check cannot tell which one the code calls")
        ops[name] = svc
    if not ops:
        problem("src/aws/service.c: no operation table found")
    used = set()
    for path in glob.glob(os.path.join(src, "src/**/*.c"), recursive=True):
        if path.endswith("src/aws/service.c"):
            continue
        text = open(path).read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for lit in re.findall(r'"(\w+)"', text):
            if lit in ops:
                used.add(f"{IAM_PREFIX[ops[lit]]}:{lit}")
    return used


def statements(policy):
    st = policy.get("Statement")
    return st if isinstance(st, list) else [st]


def as_list(v):
    return v if isinstance(v, list) else [v]


def check_iam(src):
    called = called_actions(src)
    path = os.path.join(src, "examples/kubernetes/iam-policy.json")
    policy = json.load(open(path))
    cfg = yaml.safe_load(open(os.path.join(src, "examples/trellis.yaml")))
    owner = cfg.get("owner")
    if policy.get("Version") != "2012-10-17":
        problem("iam-policy.json: Version must be 2012-10-17")
    granted = {}
    for st in statements(policy):
        if st.get("Effect") != "Allow":
            problem(f"iam-policy.json: {st.get('Sid')}: only Allow statements")
        for a in as_list(st.get("Action", [])):
            if "*" in a:
                problem(f"iam-policy.json: wildcard action {a}")
            granted.setdefault(a, []).append(st)
        if not st.get("Resource"):
            problem(f"iam-policy.json: {st.get('Sid')}: no Resource")
    need = called - NO_PERMISSION
    for a in called:
        need |= set(COMPANIONS.get(a, []))
    for a in sorted(need - set(granted)):
        problem(f"iam-policy.json lacks {a}, which the code calls "
                "(or AWS checks for a call it makes)")
    for a in sorted(set(granted) - need):
        problem(f"iam-policy.json grants {a}, which the code never calls")
    # Creations carry the owner tag (src/model/desired.c), so they are
    # allowed only with it.
    for a, sts in sorted(granted.items()):
        verb = a.split(":", 1)[1]
        for st in sts:
            cond = st.get("Condition", {})
            req = cond.get("StringEquals", {}).get(f"aws:RequestTag/{OWNER_TAG}")
            res = cond.get("StringEquals", {}).get(f"aws:ResourceTag/{OWNER_TAG}")
            if a.split(":")[0] in ("vpc-lattice", "iam") and \
                    a != "iam:CreateServiceLinkedRole" and \
                    (verb.startswith("Create") or verb.startswith("Tag")):
                if req != owner:
                    problem(f"iam-policy.json: {a} must require the request "
                            f"tag {OWNER_TAG}={owner} (the config's owner)")
            if res is not None and res != owner:
                problem(f"iam-policy.json: {st.get('Sid')}: resource tag "
                        f"{res}, but the config's owner is {owner}")
    for f in ("iam-trust-irsa.json", "iam-trust-pod-identity.json"):
        trust = json.load(open(os.path.join(src, "examples/kubernetes", f)))
        acts = {a for st in statements(trust) for a in as_list(st["Action"])}
        want = ("sts:AssumeRoleWithWebIdentity" if "irsa" in f
                else "sts:AssumeRole")
        if want not in acts:
            problem(f"{f}: the trust policy must allow {want}")
    return sorted(called)


def flags_of(binary, command, cache={}):
    if command not in cache:
        r = subprocess.run([binary, command, "--help"], capture_output=True,
                           text=True)
        if r.returncode != 0:
            problem(f"trellis {command} --help failed: {r.stderr.strip()}")
        cache[command] = set(re.findall(r"^\s+(--[a-z][a-z0-9-]*)", r.stdout,
                                        re.M))
    return cache[command]


def check_trellis_args(binary, args, where):
    """args: the words after `trellis` (command first)."""
    if not args:
        problem(f"{where}: no trellis command")
        return
    cmd = args[0]
    flags = flags_of(binary, cmd)
    for w in args[1:]:
        if w.startswith("--"):
            name = w.split("=", 1)[0]
            if name not in flags:
                problem(f"{where}: trellis {cmd} has no option {name}")


def load_docs(path):
    try:
        return [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as e:
        problem(f"{path}: not YAML: {e}")
        return []


def get(obj, dotted, default=None):
    for k in dotted.split("."):
        if not isinstance(obj, dict) or k not in obj:
            return default
        obj = obj[k]
    return obj


def check_k8s(src, binary):
    base = os.path.join(src, "examples/kubernetes")
    objs = []
    for path in sorted(glob.glob(os.path.join(base, "*.yaml"))):
        for d in load_docs(path):
            rel = os.path.relpath(path, src)
            if not isinstance(d, dict):
                problem(f"{rel}: a document is not a mapping")
                continue
            for f in ("apiVersion", "kind"):
                if not isinstance(d.get(f), str):
                    problem(f"{rel}: {f} missing")
            if d.get("kind") != "Kustomization" and \
                    not get(d, "metadata.name"):
                problem(f"{rel}: {d.get('kind')}: metadata.name missing")
            objs.append((rel, d))
    by_kind = {}
    for rel, d in objs:
        by_kind.setdefault(d.get("kind"), []).append((rel, d))
    ns = [get(d, "metadata.name") for _, d in by_kind.get("Namespace", [])]
    if not ns:
        problem("examples/kubernetes: no Namespace")
    for rel, d in objs:
        if d.get("kind") not in ("Namespace", "Kustomization") and \
                get(d, "metadata.namespace") not in ns:
            problem(f"{rel}: {d.get('kind')} is not in the Namespace {ns}")
    sas = by_kind.get("ServiceAccount", [])
    irsa = [d for _, d in sas
            if get(d, "metadata.annotations", {}).get(
                "eks.amazonaws.com/role-arn")]
    if not irsa:
        problem("examples/kubernetes: no ServiceAccount with the IRSA "
                "annotation eks.amazonaws.com/role-arn")
    for d in irsa:
        arn = d["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        if not re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+", arn):
            problem(f"IRSA annotation is not a role ARN: {arn}")
    if not [d for _, d in sas if d not in irsa]:
        problem("examples/kubernetes: no EKS Pod Identity ServiceAccount "
                "(one without the IRSA annotation)")
    secrets = {get(d, "metadata.name"): d for _, d in by_kind.get("Secret", [])}
    for name, d in secrets.items():
        for k, v in (d.get("stringData") or {}).items():
            if not str(v).startswith("REPLACE-"):
                problem(f"Secret {name}: {k} must be a REPLACE- placeholder")
    jobs = by_kind.get("CronJob", []) + by_kind.get("Job", [])
    if not by_kind.get("CronJob"):
        problem("examples/kubernetes: no CronJob")
    claims = {get(d, "metadata.name")
              for _, d in by_kind.get("PersistentVolumeClaim", [])}
    for rel, d in jobs:
        check_workload(rel, d, binary, {get(x, "metadata.name")
                                        for _, x in sas}, secrets, claims)
    for rel, d in by_kind.get("Kustomization", []):
        for r in d.get("resources", []):
            if not os.path.exists(os.path.join(base, r)):
                problem(f"{rel}: resource {r} does not exist")


def check_indexed(job, pod, binary, where):
    """An Indexed Job of shards: one pod per shard, all at once, each
    passing its index to --shard INDEX/COUNT with COUNT = completions."""
    n = job.get("completions")
    if not isinstance(n, int) or n < 1:
        problem(f"{where}: an Indexed Job needs completions")
        return
    if job.get("parallelism") != n:
        problem(f"{where}: parallelism must equal completions ({n}): "
                "every shard runs in every round")
    if "backoffLimit" in job or "backoffLimitPerIndex" not in job:
        problem(f"{where}: use backoffLimitPerIndex, not backoffLimit: a "
                "Job-wide limit ends every shard when one fails")
    for c in pod.get("containers", []):
        args = [str(a) for a in c.get("args", [])]
        value = None
        for i, a in enumerate(args):
            if a.startswith("--shard="):
                value = a.split("=", 1)[1]
            elif a == "--shard" and i + 1 < len(args):
                value = args[i + 1]
        want = f"$(JOB_COMPLETION_INDEX)/{n}"
        if value != want:
            problem(f"{where}: args must pass --shard={want} "
                    f"(COUNT = completions), got {value}")
            continue
        # What each pod's trellis gets once Kubernetes expanded it: a
        # valid --shard (not exit 64; the missing repo fails with 1).
        for i in range(n):
            r = subprocess.run([binary, "plan", "--repo",
                                "/nonexistent/trellis-examples-check",
                                f"--shard={i}/{n}"],
                               capture_output=True, text=True)
            if r.returncode == 64:
                problem(f"{where}: trellis refuses --shard={i}/{n}: "
                        f"{r.stderr.strip()}")
                break


def check_workload(rel, d, binary, sa_names, secrets, claims):
    kind = d["kind"]
    if kind == "CronJob":
        spec = d.get("spec", {})
        if spec.get("concurrencyPolicy") != "Forbid":
            problem(f"{rel}: CronJob needs concurrencyPolicy: Forbid")
        if not isinstance(spec.get("schedule"), str):
            problem(f"{rel}: CronJob needs a schedule")
        job = get(spec, "jobTemplate.spec", {})
    else:
        job = d.get("spec", {})
    pod = get(job, "template.spec", {})
    where = f"{rel}: {kind} {get(d, 'metadata.name')}"
    if job.get("completionMode") == "Indexed":
        check_indexed(job, pod, binary, where)
    if pod.get("restartPolicy") not in ("Never", "OnFailure"):
        problem(f"{where}: restartPolicy must be Never or OnFailure")
    if pod.get("serviceAccountName") not in sa_names:
        problem(f"{where}: serviceAccountName names no ServiceAccount here")
    psc = pod.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        problem(f"{where}: pod securityContext.runAsNonRoot must be true")
    if get(psc, "seccompProfile.type") != "RuntimeDefault":
        problem(f"{where}: seccompProfile RuntimeDefault missing")
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    for name, v in volumes.items():
        claim = get(v, "persistentVolumeClaim.claimName")
        if "persistentVolumeClaim" in v and claim not in claims:
            problem(f"{where}: volume {name} claims {claim}, which is no "
                    "PersistentVolumeClaim here")
    containers = pod.get("containers", [])
    if len(containers) != 1:
        problem(f"{where}: expected one container")
    for c in containers:
        csc = c.get("securityContext", {})
        for k, want in (("allowPrivilegeEscalation", False),
                        ("readOnlyRootFilesystem", True),
                        ("runAsNonRoot", True)):
            if csc.get(k) is not want:
                problem(f"{where}: securityContext.{k} must be {want}")
        if "ALL" not in get(csc, "capabilities.drop", []):
            problem(f"{where}: capabilities must drop ALL")
        for part in ("requests", "limits"):
            for res in ("cpu", "memory"):
                if not get(c, f"resources.{part}.{res}"):
                    problem(f"{where}: resources.{part}.{res} missing")
        if not c.get("image"):
            problem(f"{where}: container image missing")
        mounts = {m.get("mountPath"): m.get("name")
                  for m in c.get("volumeMounts", [])}
        for path, name in mounts.items():
            if name not in volumes:
                problem(f"{where}: volumeMount {name} has no volume")
        args = [str(a) for a in c.get("args", [])]
        check_trellis_args(binary, args, where)
        env = {e.get("name"): e.get("value") for e in c.get("env", [])}
        if "--cache-dir" not in args and "TRELLIS_CACHE_DIR" not in env:
            problem(f"{where}: no --cache-dir")
        cache = (args[args.index("--cache-dir") + 1]
                 if "--cache-dir" in args else env.get("TRELLIS_CACHE_DIR"))
        if cache not in mounts:
            problem(f"{where}: the cache dir {cache} is not a volume mount")
        tmp = env.get("TMPDIR", "/tmp")
        if tmp not in mounts:
            problem(f"{where}: TMPDIR {tmp} is not a volume mount (the root "
                    "filesystem is read-only)")
        refs = [get(e, "secretRef.name") for e in c.get("envFrom", [])]
        refs += [get(e, "valueFrom.secretKeyRef.name")
                 for e in c.get("env", [])]
        refs = [r for r in refs if r]
        if not refs:
            problem(f"{where}: git credentials must come from a Secret")
        for r in refs:
            if r not in secrets:
                problem(f"{where}: Secret {r} is not among the examples")
        for e in c.get("env", []):
            if re.search(r"TOKEN|PASSWORD|SECRET|KEY", e.get("name", "")) \
                    and "value" in e:
                problem(f"{where}: {e['name']} is inline, not from a Secret")


def main():
    what, src = sys.argv[1], sys.argv[2]
    if what == "iam":
        for a in check_iam(src):
            print(a)
    elif what == "k8s":
        check_k8s(src, sys.argv[3])
    elif what == "ci":
        import ci_check
        ci_check.check(src, sys.argv[3], problem, check_trellis_args,
                       load_docs)
    else:
        problem(f"unknown check {what}")
    for p in problems:
        print("FAIL: " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
