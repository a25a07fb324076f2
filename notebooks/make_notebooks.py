#!/usr/bin/python3
"""Writes the notebooks in this folder from their cells (kept here as code so
that diffs stay readable). Run by `make notebooks`, which then executes them
with jupyter nbconvert."""
import nbformat as nbf

def nb(cells):
    n = nbf.v4.new_notebook()
    n.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    n.cells = [nbf.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbf.v4.new_code_cell(c) for c in cells]
    for i, c in enumerate(n.cells):
        c.id = "cell-%02d" % i  # stable ids: a regenerated notebook differs only where its cells do
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
# lab1's xentop does not say how many CPUs its host has: make run gives 28 (scripts/run.sh)
an = json.loads(subprocess.run([BIN, "analyze", "--lake", LAKE, "--json", "--host-cpus", os.environ.get("HOST_CPUS", "lab1=28")],
                               check=True, capture_output=True, text=True).stdout)""",
"""md:## Downtime seen by ping

Outages are runs of unanswered probes between two replies; the downtime is the gap between those replies.""",
"""out = pd.DataFrame(an["ping_outages"] or [])
out[["host", "target", "time", "downtime_ms", "lost", "first_seq", "last_seq"]] if len(out) else out""",
"""md:## Which VM to migrate

Guests ranked per host by the replay engine's predicted migration time (cheapest first).""",
"""vms = pd.DataFrame(an["vms"] or [])
if len(vms):
    vms["mem_gib"] = vms.mem_k / 2**20
    ax = vms.plot.scatter(x="mem_gib", y="pred_total_s", c="cpu_pct", colormap="viridis", figsize=(6, 4))
    ax.set_xlabel("guest memory (GiB)"); ax.set_ylabel("predicted migration time (s)")
    plt.tight_layout(); plt.savefig(os.path.join(OUT, "lake_vms.png"), dpi=90)
vms[["host", "rank", "domain", "class", "mem_k", "cpu_pct", "pred_total_s", "pred_downtime_s"]] if len(vms) else vms""",
"""md:## The report's figures, redrawn

`migreplay report` draws these from the lake (`out/report.html`); here they are redrawn from
`migreplay analyze --json` of the bundled lake and of the synthetic three-host cluster
(`datasets/cluster`, ingested by `make run` into `out/cluster/lake`). Where a figure needs a raw
table the JSON does not carry (ping replies, xentop frames), it is drawn from the lake with pyarrow
when pyarrow is installed, and otherwise from the summary the JSON has.""",
"""CLUSTER = os.environ.get("CLUSTER", "../out/cluster/lake")
IDC = os.environ.get("IDC", "../datasets/cluster/idc.csv")
cl = json.loads(subprocess.run([BIN, "analyze", "--lake", CLUSTER, "--json", "--idc", IDC],
                               check=True, capture_output=True, text=True).stdout)
dec = pd.DataFrame((an["decisions"] or []) + (cl["decisions"] or []))
dec["time"] = pd.to_datetime(dec.time)
dec["dest"] = dec.dest.fillna("unknown")
side = (dec.assign(choice=dec.domain + " → " + dec.dest)
           .groupby(["host", "policy"])
           .agg(decisions=("choice", "size"), first=("time", "min"),
                chosen=("choice", lambda c: ", ".join(f"{k} ×{v}" for k, v in c.value_counts().items()))))
side""",
"""md:### Each host's CPU at the points where a policy decided

The report draws the host's CPU at every xentop frame; the JSON has it at the decision points.""",
"""hosts = sorted(dec.host.unique())
fig, axes = plt.subplots(len(hosts), 1, figsize=(7, 2.6 * len(hosts)), squeeze=False)
for ax, h in zip(axes[:, 0], hosts):
    d = dec[dec.host == h]
    for marker, (pol, g) in zip("os^vD", d.groupby("policy")):
        ax.plot(g.time, g.host_cpu_pct, marker, label=pol, ms=5)
    for thr in (65, 85):
        ax.axhline(thr, ls="--", lw=0.8, color="grey")
    ax.set_title(f"{h} ({d.host_cpus.iloc[0]:g} CPUs)", fontsize=9)
    ax.set_ylabel("host CPU (%)"); ax.set_xlabel("time (UTC)")
    ax.legend(fontsize=7, ncol=4)
plt.tight_layout(); plt.savefig(os.path.join(OUT, "lake_decisions.png"), dpi=90)""",
"""md:### Measured migration time per workload class

Each migration of the cluster (xentop) with the linear fit of its class (time against memory, 95 %
prediction band) and the replay's analytic prediction for the same guest.""",
"""cp = pd.DataFrame(cl["class_predictions"] or [])
cp["mem_gib"] = cp.mem_mib / 1024
classes = sorted(cp["class"].unique())
fig, axes = plt.subplots(1, len(classes), figsize=(3 * len(classes), 3.2), sharey=True, squeeze=False)
for ax, c in zip(axes[0], classes):
    g = cp[cp["class"] == c].sort_values("mem_gib")
    ax.scatter(g.mem_gib, g.measured_s, label="measured")
    if g.fit_s.notna().all():
        ax.plot(g.mem_gib, g.fit_s, label=f"fit, R² {g.fit_r2_y.iloc[0]:.2f}")
        ax.fill_between(g.mem_gib, g.fit_lo_s, g.fit_hi_s, alpha=0.2)
    ax.plot(g.mem_gib, g.replay_s, "x--", label="replay")
    ax.set_title(f"{c} (n={len(g)})", fontsize=9); ax.set_xlabel("guest memory (GiB)")
    ax.legend(fontsize=7)
axes[0][0].set_ylabel("migration time (s)")
plt.tight_layout(); plt.savefig(os.path.join(OUT, "lake_class_fits.png"), dpi=90)
cp[["class", "domain", "mem_gib", "measured_s", "fit_s", "replay_s"]].sort_values(["class", "mem_gib"])""",
"""md:### RTT around the outages, and Domain-0 around each migration""",
"""try:
    import pyarrow  # noqa: F401
    rep = pd.read_parquet(LAKE + "/table=ping_reply")
    o = out.sort_values("downtime_ms").iloc[-1]
    t0, t1 = pd.Timestamp(o.time), pd.Timestamp(o.end)
    w = rep[(rep.target == o.target) & (rep.time > t0 - pd.Timedelta("1s")) & (rep.time < t1 + pd.Timedelta("1s"))]
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot((w.time - t0).dt.total_seconds() * 1e3, w.rtt_ms, ".-")
    ax.axvspan(0, (t1 - t0).total_seconds() * 1e3, alpha=0.3, color="orange", label=f"outage {o.downtime_ms:.0f} ms")
    ax.set_xlabel("time from the last reply before the outage (ms)"); ax.set_ylabel("RTT (ms)"); ax.legend()
except ImportError:
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar(range(len(out)), out.downtime_ms)
    ax.set_xlabel("outage"); ax.set_ylabel("downtime (ms)"); ax.set_title("ping outages (no pyarrow: no RTT timeline)")
plt.tight_layout(); plt.savefig(os.path.join(OUT, "lake_outages.png"), dpi=90)""",
"""mig = pd.DataFrame((an["migrations"] or []) + (cl["migrations"] or []))
mig = mig.sort_values("duration_s", ascending=False).head(12)
fig, ax = plt.subplots(figsize=(7, 3.5))
x = range(len(mig))
ax.bar([i - 0.2 for i in x], mig.dom0_cpu_base_pct, width=0.4, label="before (median of 10 frames)")
ax.bar([i + 0.2 for i in x], mig.dom0_cpu_peak_pct, width=0.4, label="peak during the migration")
ax.set_xticks(list(x)); ax.set_xticklabels(mig.domain + "@" + mig.host, rotation=60, fontsize=7, ha="right")
ax.set_ylabel("Domain-0 CPU (% of one CPU)"); ax.legend(fontsize=8)
plt.tight_layout(); plt.savefig(os.path.join(OUT, "lake_dom0.png"), dpi=90)""",
])

for name, n in [("reproduce.ipynb", reproduce), ("lake.ipynb", lake)]:
    nbf.write(n, name)
