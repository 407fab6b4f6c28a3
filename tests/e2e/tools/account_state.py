#!/usr/bin/env python3
"""What the emulated account holds, read from /_emulator/state on stdin.

  account_state.py world       one line per object, sorted, without what
                               AWS makes up per object (ids, ARNs, times,
                               sequence numbers, generated DNS names): two
                               runs compare equal exactly when they made
                               the same objects, each once
  account_state.py duplicates  the Lattice objects whose name appears twice
                               (rules keyed by their listener: each
                               listener has its own r1 and default rule)

Shared by the e2e tests that compare one apply with concurrent, sharded or
interrupted ones.
"""
import collections
import json
import re
import sys

VOLATILE = re.compile(
    r"(^|_)(id|arn|seq)$|Id$|Arn$|Arns$|At$|Date$|^dnsEntry$|^createdBy$"
    r"|Identifier$|^clientToken$|^_|^nsBase$", re.I)
IDS = re.compile(
    r"\b(sn|snva|snsa|svc|tg|listener|rule|AROA|AIDA)[-A-Za-z0-9]*[0-9a-f]{6,}\b")


def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items() if not VOLATILE.search(k)}
    if isinstance(v, list):
        return sorted((clean(x) for x in v),
                      key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(v, str):  # generated DNS names and name servers too
        v = re.sub(r"[0-9a-f]{12,}", "<hex>", IDS.sub("<id>", v))
        return re.sub(r"\b(ns|awsdns)-[0-9]+", "<ns>", v)
    return v


def world(state):
    lines = []
    for service in ("lattice", "iam", "route53"):
        for kind, objs in (state.get(service) or {}).items():
            if kind == "changes":
                continue  # Route 53 change history, not what the account holds
            if isinstance(objs, dict):
                for o in objs.values():
                    if isinstance(o, dict):
                        lines.append(service + "/" + kind + " " +
                                     json.dumps(clean(o), sort_keys=True))
    return "\n".join(sorted(lines))


def duplicates(state):
    lat = state["lattice"]
    listeners = {l["id"]: l["name"]
                 for l in (lat.get("listeners") or {}).values()}
    names = collections.Counter()
    for kind, objs in lat.items():
        if isinstance(objs, dict):
            for o in objs.values():
                if isinstance(o, dict) and "name" in o:
                    where = ""
                    if kind == "rules":
                        where = listeners.get(o.get("listenerId"), "") + ":"
                    names[(kind, where + o["name"])] += 1
    return " ".join("%s/%s" % k for k, n in sorted(names.items()) if n > 1)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what not in ("world", "duplicates"):
        sys.exit("usage: account_state.py world|duplicates < state.json")
    print({"world": world, "duplicates": duplicates}[what](json.load(sys.stdin)))
