#!/usr/bin/env python3
"""Writes a valid trellis repository with N HTTPRoutes for bench/validate.

usage: gen_routes.py N OUT

OUT/yaml/   what trellis reads: one cluster (no trellis.yaml), a GatewayClass
            and a Gateway (VPC Lattice class, as in examples/) in
            gateway.yaml, then multi-document YAML files of PER_FILE
            documents each: routes-NNNN.yaml (HTTPRoutes) and
            services-NNNN.yaml (their Services).
OUT/json/   the same documents for ajv-cli, one JSON file per document,
            in one folder per schema: OUT/json/<STEM>/NNNNNN.json is
            validated against schemas/<STEM>.schema.json.
OUT/counts  "<STEM> <documents>" per line, for the checks of bench/validate.

Each route has 1-3 rules with a path match (PathPrefix or Exact, sometimes a
method or header match), sends to 1-2 Services (weighted when two), has one
hostname, and attaches to the Gateway's HTTP listener. Output is the same for
the same N (fixed seed). Standard library only.
"""
import json
import os
import random
import re
import sys

PER_FILE = 100
NAMESPACES = 24
APPS = ["orders", "payments", "catalog", "search", "users", "cart",
        "inventory", "shipping", "reviews", "ledger", "notify", "auth"]
DOMAIN = "lattice.example.com"

ROUTE_STEM = "gateway.networking.k8s.io_v1_HTTPRoute"
SERVICE_STEM = "core_v1_Service"
GATEWAY_STEM = "gateway.networking.k8s.io_v1_Gateway"
CLASS_STEM = "gateway.networking.k8s.io_v1_GatewayClass"

PLAIN = re.compile(r"^[A-Za-z/][A-Za-z0-9./_-]*$")
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if PLAIN.match(v) and v.lower() not in YAML_WORDS:
        return v
    return json.dumps(v)  # a JSON string is a YAML double-quoted scalar


def emit(v, indent, out):
    """Block-style YAML, as people write manifests."""
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{k}:")
                emit(x, indent + 2 if isinstance(x, dict) else indent, out)
            else:
                out.append(f"{pad}{k}: {scalar(x)}")
    else:
        for x in v:
            if isinstance(x, dict) and x:
                sub = []
                emit(x, indent + 2, sub)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            else:
                out.append(f"{pad}- {scalar(x)}")


def to_yaml(doc):
    out = []
    emit(doc, 0, out)
    return "\n".join(out) + "\n"


def gateway_docs():
    return [
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
         "metadata": {"name": "amazon-vpc-lattice"},
         "spec": {"controllerName":
                  "application-networking.k8s.aws/gateway-api-controller"}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"name": "bench-network", "namespace": "default"},
         "spec": {"gatewayClassName": "amazon-vpc-lattice",
                  "listeners": [{"name": "http", "protocol": "HTTP",
                                 "port": 80,
                                 "allowedRoutes":
                                 {"namespaces": {"from": "All"}}}]}},
    ]


def service(name, ns, app, version, port):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns,
                         "labels": {"app": app, "version": version}},
            "spec": {"type": "ClusterIP",
                     "selector": {"app": app, "version": version},
                     "ports": [{"name": "http", "protocol": "TCP",
                                "port": port, "targetPort": 8080}]}}


def route_and_services(i, rnd):
    app = APPS[i % len(APPS)]
    ns = f"team-{i % NAMESPACES:02d}"
    name = f"{app}-{i:05d}"
    port = rnd.choice([80, 80, 80, 8080])
    svcs = [service(f"{name}-v1", ns, name, "v1", port)]
    if rnd.random() < 0.5:
        svcs.append(service(f"{name}-v2", ns, name, "v2", port))
    rules = []
    used = set()
    for r in range(rnd.randint(1, 3)):
        while True:
            path = "/" + rnd.choice(["api", "v1", "v2", "admin", "static",
                                     "healthz", "items", "reports"])
            if r or rnd.random() < 0.5:
                path += "/" + rnd.choice(["list", "get", "search", "export",
                                          "status", "metrics"])
            if path not in used:
                used.add(path)
                break
        match = {"path": {"type": rnd.choice(["PathPrefix", "PathPrefix",
                                              "Exact"]),
                          "value": path}}
        if rnd.random() < 0.2:
            match["method"] = rnd.choice(["GET", "POST"])
        if rnd.random() < 0.15:
            match["headers"] = [{"type": "Exact", "name": "x-tenant",
                                 "value": f"tenant-{rnd.randint(1, 99)}"}]
        backends = []
        if len(svcs) == 2 and rnd.random() < 0.7:
            w = rnd.choice([10, 20, 50, 80, 90])
            backends = [{"name": svcs[0]["metadata"]["name"],
                         "kind": "Service", "port": port, "weight": w},
                        {"name": svcs[1]["metadata"]["name"],
                         "kind": "Service", "port": port, "weight": 100 - w}]
        else:
            s = rnd.choice(svcs)
            backends = [{"name": s["metadata"]["name"], "kind": "Service",
                         "port": port}]
        rules.append({"matches": [match], "backendRefs": backends})
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
             "metadata": {"name": name, "namespace": ns,
                          "labels": {"app": app}},
             "spec": {"hostnames": [f"{name}.{ns}.{DOMAIN}"],
                      "parentRefs": [{"name": "bench-network",
                                      "namespace": "default",
                                      "sectionName": "http"}],
                      "rules": rules}}
    return route, svcs


def write_yaml_files(folder, prefix, docs):
    for k in range(0, len(docs), PER_FILE):
        path = os.path.join(folder, f"{prefix}-{k // PER_FILE:04d}.yaml")
        with open(path, "w") as f:
            f.write("---\n".join(to_yaml(d) for d in docs[k:k + PER_FILE]))


def write_json_files(folder, stem, docs):
    d = os.path.join(folder, stem)
    os.makedirs(d)
    for k, doc in enumerate(docs):
        with open(os.path.join(d, f"{k:06d}.json"), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")


def main():
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: gen_routes.py N OUT")
    n, out = int(sys.argv[1]), sys.argv[2]
    if os.path.exists(out):
        sys.exit(f"gen_routes.py: {out} exists; remove it first")
    rnd = random.Random(20261126)
    routes, services = [], []
    for i in range(n):
        r, s = route_and_services(i, rnd)
        routes.append(r)
        services.extend(s)
    gw = gateway_docs()

    yaml_dir, json_dir = os.path.join(out, "yaml"), os.path.join(out, "json")
    os.makedirs(yaml_dir)
    os.makedirs(json_dir)
    with open(os.path.join(yaml_dir, "gateway.yaml"), "w") as f:
        f.write("---\n".join(to_yaml(d) for d in gw))
    write_yaml_files(yaml_dir, "routes", routes)
    write_yaml_files(yaml_dir, "services", services)

    groups = [(CLASS_STEM, gw[:1]), (GATEWAY_STEM, gw[1:]),
              (ROUTE_STEM, routes), (SERVICE_STEM, services)]
    for stem, docs in groups:
        write_json_files(json_dir, stem, docs)
    with open(os.path.join(out, "counts"), "w") as f:
        for stem, docs in groups:
            f.write(f"{stem} {len(docs)}\n")


if __name__ == "__main__":
    main()
