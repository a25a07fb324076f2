#!/usr/bin/env python3
"""make test-cluster: check the shape of the Kubernetes manifests in deploy/k8s.

No Kubernetes runs here, so this is what can be checked without one: every
file parses as YAML (python3-yaml), every object has apiVersion, kind and
metadata.name, and the rules the manifests depend on hold:

- an Indexed Job (completionMode: Indexed) sets MIGREPLAY_SHARDS in its
  container to its completions (migreplay reads JOB_COMPLETION_INDEX and
  needs the count), with 1 <= parallelism <= completions;
- a Job's pods restart Never or OnFailure (Jobs allow nothing else);
- every volumeMount names a volume of the pod, and every claim a pod mounts
  is defined in the folder; the lake's claim (mounted where --out points,
  or at /lake) is ReadWriteMany, since all shards write into it at once;
- with BIN (argument 2), every --flag in a container's args is one the
  migreplay subcommand lists in its --help.

usage: check_k8s.py DIR [BIN]
"""
import glob
import os
import subprocess
import sys

import yaml


def fail(msg):
    print(f"check_k8s: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: check_k8s.py DIR [BIN]")
    folder = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) == 3 else None
    objs = []
    files = sorted(glob.glob(os.path.join(folder, "*.yaml")))
    if not files:
        fail(f"no *.yaml in {folder}")
    for f in files:
        with open(f) as fh:
            try:
                docs = [d for d in yaml.safe_load_all(fh) if d is not None]
            except yaml.YAMLError as e:
                fail(f"{f}: {e}")
        for d in docs:
            for k in ("apiVersion", "kind"):
                if k not in d:
                    fail(f"{f}: an object without {k}")
            if not d.get("metadata", {}).get("name"):
                fail(f"{f}: {d['kind']} without metadata.name")
            objs.append((f, d))
    claims = {d["metadata"]["name"]: d for _, d in objs if d["kind"] == "PersistentVolumeClaim"}
    jobs = [(f, d) for f, d in objs if d["kind"] == "Job"]
    if not jobs:
        fail(f"no Job in {folder}")
    helps = {}
    for f, job in jobs:
        name = f"{f}: Job {job['metadata']['name']}"
        if job["apiVersion"] != "batch/v1":
            fail(f"{name}: apiVersion {job['apiVersion']}, want batch/v1")
        spec = job["spec"]
        pod = spec["template"]["spec"]
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            fail(f"{name}: restartPolicy {pod.get('restartPolicy')!r}, a Job's pods need Never or OnFailure")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for c in pod["containers"]:
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if spec.get("completionMode") == "Indexed":
                n = spec.get("completions")
                if not isinstance(n, int) or n < 1:
                    fail(f"{name}: an Indexed Job needs completions >= 1")
                if env.get("MIGREPLAY_SHARDS") != str(n):
                    fail(f"{name}: MIGREPLAY_SHARDS={env.get('MIGREPLAY_SHARDS')!r}, want {n!r} (the completions)")
                p = spec.get("parallelism", 1)
                if not 1 <= p <= n:
                    fail(f"{name}: parallelism {p} not in 1..{n}")
            args = [str(a) for a in c.get("args", [])]
            out = args[args.index("--out") + 1] if "--out" in args else "/lake"
            for m in c.get("volumeMounts", []):
                v = volumes.get(m["name"])
                if v is None:
                    fail(f"{name}: volumeMount {m['name']} names no volume of the pod")
                claim = v.get("persistentVolumeClaim", {}).get("claimName")
                if claim is None:
                    continue
                if claim not in claims:
                    fail(f"{name}: claim {claim} is not defined in {folder}")
                lake = out == m["mountPath"] or out.startswith(m["mountPath"].rstrip("/") + "/")
                if lake and "ReadWriteMany" not in claims[claim]["spec"].get("accessModes", []):
                    fail(f"{name}: the lake's claim {claim} is not ReadWriteMany")
                if lake and m.get("readOnly"):
                    fail(f"{name}: the lake is mounted read-only")
            if binary and args and any(a.startswith("--") for a in args):
                sub = args[0]
                if sub not in helps:
                    r = subprocess.run([binary, sub, "--help"], capture_output=True, text=True)
                    helps[sub] = r.stdout + r.stderr
                for a in args:
                    flag = a.split("=")[0]
                    if flag.startswith("--") and f"  {flag} " not in helps[sub] and f", {flag} " not in helps[sub]:
                        fail(f"{name}: migreplay {sub} has no flag {flag}")
    print(f"check_k8s: {len(files)} files, {len(objs)} objects, {len(jobs)} Jobs: ok")


if __name__ == "__main__":
    main()
