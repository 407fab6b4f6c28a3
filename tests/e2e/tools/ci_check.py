"""examples/ci: the GitHub Actions workflow and the GitLab CI file (used by
examples_check.py ci)."""
import os
import re
import shlex

SEPARATORS = re.compile(r"\|\||&&|;|\||\n")


def trellis_calls(script):
    """The argument lists of every `trellis ...` command in a shell script."""
    script = re.sub(r"\\\n\s*", " ", str(script))
    calls = []
    for part in SEPARATORS.split(script):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            words = part.split()
        for i, w in enumerate(words):
            if w == "trellis" and i + 1 < len(words) and \
                    re.fullmatch(r"[a-z][a-z-]*", words[i + 1]):
                args = []
                for a in words[i + 1:]:
                    if a.startswith((">", "2>", "<")):
                        break
                    args.append(a)
                calls.append(args)
                break
    return calls


def flagged(calls, command, *flags):
    """Calls of `command` that pass every one of `flags`."""
    return [c for c in calls if c and c[0] == command and
            all(f in c for f in flags)]


def check_github(path, problem, check_args, load_docs):
    docs = load_docs(path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        problem(f"{path}: expected one YAML mapping")
        return
    wf = docs[0]
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads `on` as true
    if not isinstance(on, dict) or "pull_request" not in on or "push" not in on:
        problem(f"{path}: must run on pull_request and on push")
    perms = wf.get("permissions", {})
    if perms.get("pull-requests") != "write":
        problem(f"{path}: permissions.pull-requests: write (the comment)")
    if perms.get("id-token") != "write":
        problem(f"{path}: permissions.id-token: write (OIDC to AWS)")
    if not wf.get("concurrency"):
        problem(f"{path}: a concurrency group keeps one run at a time")
    jobs = wf.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problem(f"{path}: no jobs")
        return
    calls, scripts = [], []
    for name, job in jobs.items():
        if "runs-on" not in job:
            problem(f"{path}: job {name} has no runs-on")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problem(f"{path}: job {name} has no steps")
            continue
        for i, st in enumerate(steps):
            if ("uses" in st) == ("run" in st):
                problem(f"{path}: job {name} step {i}: exactly one of "
                        "uses and run")
            if "uses" in st and not re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+",
                                                 st["uses"]):
                problem(f"{path}: job {name} step {i}: uses must pin "
                        f"owner/repo@ref: {st['uses']}")
            if "run" in st:
                scripts.append(str(st["run"]))
                for c in trellis_calls(st["run"]):
                    check_args(c, f"{path}: job {name} step {i}")
                    calls.append(c)
            if isinstance(st.get("with"), dict):
                scripts += [str(v) for v in st["with"].values()]
        for need in as_list(job.get("needs", [])):
            if need not in jobs:
                problem(f"{path}: job {name} needs unknown job {need}")
    check_flow(path, calls, "\n".join(scripts), problem, github=True)


def as_list(v):
    return v if isinstance(v, list) else [v]


def check_gitlab(path, problem, check_args, load_docs):
    docs = load_docs(path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        problem(f"{path}: expected one YAML mapping")
        return
    ci = docs[0]
    stages = ci.get("stages", [])
    if not stages:
        problem(f"{path}: no stages")
    jobs = {k: v for k, v in ci.items()
            if isinstance(v, dict) and k not in ("variables", "default",
                                                 "workflow")}
    calls, scripts = [], []

    def resolved(job, depth=0):
        base = {}
        for parent in as_list(job.get("extends", [])):
            if parent not in jobs:
                problem(f"{path}: extends unknown {parent}")
            elif depth < 5:
                base.update(resolved(jobs[parent], depth + 1))
        base.update(job)
        return base

    for name, raw in jobs.items():
        if name.startswith("."):
            continue
        job = resolved(raw)
        if "script" not in job:
            problem(f"{path}: job {name} has no script")
        if job.get("stage") not in stages:
            problem(f"{path}: job {name}: stage {job.get('stage')} is not "
                    "in stages")
        if not job.get("rules"):
            problem(f"{path}: job {name} has no rules")
        for need in as_list(job.get("needs", [])):
            if need not in jobs:
                problem(f"{path}: job {name} needs unknown job {need}")
            elif job.get("stage") in stages and \
                    resolved(jobs[need]).get("stage") in stages and \
                    stages.index(resolved(jobs[need])["stage"]) > \
                    stages.index(job["stage"]):
                problem(f"{path}: job {name} needs {need}, a later stage")
        for key in ("before_script", "script"):
            for line in as_list(job.get(key, [])):
                scripts.append(str(line))
                for c in trellis_calls(str(line)):
                    check_args(c, f"{path}: job {name}")
                    calls.append(c)
    check_flow(path, calls, "\n".join(scripts), problem, github=False)


def check_flow(path, calls, scripts, problem, github):
    if github and not flagged(calls, "validate", "--format"):
        problem(f"{path}: no `validate --format github` (annotations)")
    for c in flagged(calls, "validate", "--format"):
        if github and c[c.index("--format") + 1] != "github":
            problem(f"{path}: validate must use --format github")
    if not flagged(calls, "validate"):
        problem(f"{path}: no validate")
    plans = flagged(calls, "plan", "--format", "--out")
    if not plans or any(c[c.index("--format") + 1] != "markdown" for c in plans):
        problem(f"{path}: no `plan --format markdown --out FILE`")
    if not flagged(calls, "diff", "--from", "--to", "--format"):
        problem(f"{path}: no `diff --from BASE --to HEAD --format markdown` "
                "for requests without cloud credentials")
    if not flagged(calls, "apply", "--plan"):
        problem(f"{path}: no `apply --plan FILE` on merge")
    if any(c[0] == "apply" and "--plan" not in c for c in calls):
        problem(f"{path}: apply on merge must apply the saved plan")
    if "<!-- trellis-plan -->" not in scripts:
        problem(f"{path}: the plan comment needs a marker to be found again")
    update = "updateComment" if github else "-X PUT"
    create = "createComment" if github else "-X POST"
    if update not in scripts or create not in scripts:
        problem(f"{path}: the plan comment must be updated when it exists "
                "and created otherwise")


def check(src, binary, problem, check_trellis_args, load_docs):
    base = os.path.join(src, "examples/ci")

    def check_args(args, where):
        check_trellis_args(binary, args, where)

    gh = os.path.join(base, "github-actions.yml")
    gl = os.path.join(base, "gitlab-ci.yml")
    for p in (gh, gl):
        if not os.path.exists(p):
            problem(f"{os.path.relpath(p, src)} is missing")
            return
    check_github(gh, problem, check_args, load_docs)
    check_gitlab(gl, problem, check_args, load_docs)
