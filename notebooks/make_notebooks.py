#!/usr/bin/python3
"""Writes the notebooks in this folder from their cells (kept here as code so
that diffs stay readable). Run by `make notebooks`, which then executes them
with jupyter nbconvert."""
import nbformat as nbf

def nb(cells):
    n = nbf.v4.new_notebook()
    n.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    n.cells = [nbf.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbf.v4.new_code_cell(c) for c in cells]
    return n

reproduce = nb([
"""md:# Reproducing the seed papers with migreplay

`migreplay reproduce --json` rebuilds seed 004's experiments (migration time of a 1 GB Xen 3.2 VM
against the Dom0 CPU cap, per workload) with the replay model from one calibration, fits the power
model as the paper did, and compares the R² with the published ones. This notebook reads that JSON
with pandas and plots it. The calibration and where ours differs are explained in
`analysis/reproduce/README.md`.""",
"""import json, os, subprocess
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

BIN = os.environ.get("MIGREPLAY", "../bin/migreplay")
OUT = os.environ.get("OUT", ".")
rep = json.loads(subprocess.run([BIN, "reproduce", "--json"], check=True, capture_output=True, text=True).stdout)
print("seed", rep["seed"], "engine", rep["engine"])""",
"""rows = []
for e in rep["seed004"]:
    pub = e.get("published") or {}
    fit = e.get("fit") or {}
    rows.append({"experiment": e["id"], "published_r2": pub.get("r2"),
                 "ours_r2_log": fit.get("r2_log"), "ours_r2_y": fit.get("r2_y")})
r2 = pd.DataFrame(rows).set_index("experiment")
r2["diff_log_pp"] = 100 * (r2.ours_r2_log - r2.published_r2)
r2.round(4)""",
"""ax = (100 * r2[["published_r2", "ours_r2_log", "ours_r2_y"]]).plot.barh(figsize=(7, 6))
ax.legend(loc="lower left", fontsize=8); ax.set_xlabel("R² (%)"); ax.set_xlim(40, 100); ax.set_title("seed 004: published R² against ours")
plt.tight_layout(); plt.savefig(os.path.join(OUT, "reproduce_r2.png"), dpi=90)""",
"""md:## The curves behind the R²

Each experiment's replayed migration times (with the stated seeded noise) against the Dom0 CPU cap.""",
"""fig, ax = plt.subplots(figsize=(7, 4.5))
for e in rep["seed004"]:
    pts = pd.DataFrame(e["points"])
    ax.plot(pts.cap_pct, pts.measured_s, marker="o", ms=3, label=e["id"])
ax.set_xlabel("Dom0 CPU cap (%)"); ax.set_ylabel("migration time (s)"); ax.set_yscale("log")
ax.legend(fontsize=7, ncol=2); plt.tight_layout(); plt.savefig(os.path.join(OUT, "reproduce_curves.png"), dpi=90)""",
"""md:## Seed 001: total time and downtime against packet size""",
"""s1 = pd.DataFrame([{"hypervisor": e["hypervisor"], "metric": e["metric"],
                     "r2_log": (e.get("fit") or {}).get("r2_log"), "b": (e.get("fit") or {}).get("b"),
                     "ratio_1000": e.get("ratio_1000"), "ratio_32": e.get("ratio_32")} for e in rep["seed001"]])
s1.round(3)""",
])

lake = nb([
"""md:# Reading the migreplay lake

The lake is Hive-partitioned Parquet: `table=<name>/host=<host>/date=<YYYY-MM-DD>/part-<hash>.parquet`.
With pyarrow installed, pandas reads a table folder directly (`pd.read_parquet(lake + "/table=ping_reply")`);
DuckDB, Spark and Trino read the same folders. Where pyarrow is missing (Debian's python3 has none)
this notebook falls back to `migreplay analyze --json`, which reads the lake itself.""",
"""import json, os, subprocess
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

BIN = os.environ.get("MIGREPLAY", "../bin/migreplay")
OUT = os.environ.get("OUT", ".")
LAKE = os.environ.get("LAKE", "../out/lake")
try:
    import pyarrow  # noqa: F401
    replies = pd.read_parquet(LAKE + "/table=ping_reply")
    print(len(replies), "ping replies read with pyarrow")
except ImportError:
    print("pyarrow not installed: using migreplay analyze --json")
an = json.loads(subprocess.run([BIN, "analyze", "--lake", LAKE, "--json"], check=True, capture_output=True, text=True).stdout)""",
"""md:## Downtime seen by ping

Outages are runs of unanswered probes between two replies; the downtime is the gap between those replies.""",
"""out = pd.DataFrame(an["ping_outages"] or [])
out[["host", "target", "time", "downtime_ms", "lost", "first_seq", "last_seq"]] if len(out) else out""",
"""md:## Which VM to migrate

Guests ranked per host by the replay engine's predicted migration time (cheapest first).""",
"""vms = pd.DataFrame(an["vms"] or [])
if len(vms):
    ax = vms.plot.scatter(x="mem_k", y="pred_total_s", c="cpu_pct", colormap="viridis", figsize=(6, 4))
    ax.set_xlabel("memory (KiB)"); ax.set_ylabel("predicted migration time (s)")
    plt.tight_layout(); plt.savefig(os.path.join(OUT, "lake_vms.png"), dpi=90)
vms[["host", "rank", "domain", "class", "mem_k", "cpu_pct", "pred_total_s", "pred_downtime_s"]] if len(vms) else vms""",
])

for name, n in [("reproduce.ipynb", reproduce), ("lake.ipynb", lake)]:
    nbf.write(n, name)
