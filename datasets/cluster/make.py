#!/usr/bin/python3
"""Writes the synthetic three-host Xen cluster of datasets/cluster/ (see
README.md there): xentop -b -f -x -d 10 | ts '%.s' captures of hosts xen-a,
xen-b and xen-c (16 CPUs, Domain-0 with 16 vCPUs, 128 GiB each) over 40
minutes, with 21 live migrations between them, and idc.csv, the traffic
between guests that talk to each other.

Model. Each guest has a workload class and loads drawn once per guest:
  cpu      1.5-4 CPUs busy, ~2 MB/s disk, ~0.5 MB/s network
  disk     0.3 CPUs, 80-150 MB/s disk (VBD sectors), ~1 MB/s network
  network  0.4 CPUs, ~1 MB/s disk, 10-25 MB/s network (NETTX+NETRX)
  idle     0.01-0.03 CPUs, ~0.1 MB/s disk, ~0.05 MB/s network
with 5 % frame-to-frame noise. xen-a's cpu guests ramp up between minutes
12 and 22 (the host goes from about 70 % to over 90 % of its CPUs), then
back: the overload the policies should see. A migration of a guest of M
bytes takes T = 2 s + M / (117.5 MB/s × (1 − d)) (a gigabit link's payload,
less the share d of it spent resending dirtied pages, drawn per migration:
idle 0.01-0.05, cpu 0.10-0.30, disk 0.20-0.35, network 0.25-0.40), times a lognormal noise of sigma 0.12; xentop sees
it for ceil(T / 10 s) frames: the sender shows NAME--migratedaway, the
receiver NAME--incoming (paused), then the receiver shows NAME with
counters restarted (a new domain). Domain-0's CPU rises by 60 % of a CPU on
the sender and 30 % on the receiver while a migration runs.
Run: /usr/bin/python3 make.py   (writes traces/*.xentop.txt.gz and idc.csv;
the same bytes every time: random.Random(14), gzip with mtime 0)
"""
import gzip, math, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
R = random.Random(14)
T0 = 1795500000.0            # 2026-11-24 06:00 UTC, collector clock of frame 0
DT = 10.0
FRAMES = 240
HOSTS = ["xen-a", "xen-b", "xen-c"]
HOST_KB = 128 * 1024 * 1024
BW = 117.5e6
DIRTY = {"idle": (0.01, 0.05), "cpu": (0.10, 0.30), "disk": (0.20, 0.35), "network": (0.25, 0.40)}
GIB = 1024 * 1024            # KiB per GiB

def load(cls):
    if cls == "cpu":
        return dict(cpu=R.uniform(1.5, 4), disk=R.uniform(1, 3), net=R.uniform(0.3, 0.7))
    if cls == "disk":
        return dict(cpu=R.uniform(0.2, 0.4), disk=R.uniform(80, 150), net=R.uniform(0.5, 1.5))
    if cls == "network":
        return dict(cpu=R.uniform(0.3, 0.5), disk=R.uniform(0.5, 1.5), net=R.uniform(10, 25))
    return dict(cpu=R.uniform(0.01, 0.03), disk=R.uniform(0.05, 0.15), net=R.uniform(0.02, 0.08))

# guests: name, class, memory GiB, vCPUs, initial host
GUESTS = [
    ("batch-a1", "cpu", 16, 8, "xen-a"), ("render-a2", "cpu", 8, 4, "xen-a"), ("solver-a3", "cpu", 12, 6, "xen-a"),
    ("web-a4", "network", 4, 2, "xen-a"), ("db-a5", "disk", 16, 4, "xen-a"), ("cache-a6", "network", 2, 2, "xen-a"),
    ("spare-a7", "idle", 1, 1, "xen-a"),
    ("build-b1", "cpu", 6, 4, "xen-b"), ("etl-b2", "disk", 8, 2, "xen-b"), ("proxy-b3", "network", 6, 2, "xen-b"),
    ("log-b4", "disk", 4, 2, "xen-b"), ("test-b5", "idle", 8, 2, "xen-b"), ("ci-b6", "cpu", 2, 2, "xen-b"),
    ("files-b7", "disk", 12, 2, "xen-b"), ("stream-b8", "network", 12, 2, "xen-b"),
    ("dev-c1", "idle", 2, 1, "xen-c"), ("jump-c2", "idle", 4, 1, "xen-c"), ("mq-c3", "network", 8, 2, "xen-c"),
    ("backup-c4", "disk", 6, 2, "xen-c"), ("sim-c5", "cpu", 4, 4, "xen-c"), ("old-c6", "idle", 12, 2, "xen-c"),
]
# migrations: guest, destination, start frame (none from xen-a between frames 60 and 140: its overload)
MIGRATIONS = [
    ("test-b5", "xen-c", 8), ("mq-c3", "xen-b", 14), ("etl-b2", "xen-c", 22), ("spare-a7", "xen-c", 30),
    ("ci-b6", "xen-c", 40), ("dev-c1", "xen-b", 48), ("cache-a6", "xen-b", 52), ("log-b4", "xen-c", 62),
    ("sim-c5", "xen-b", 70), ("jump-c2", "xen-b", 80), ("proxy-b3", "xen-c", 90), ("backup-c4", "xen-b", 100),
    ("build-b1", "xen-c", 112), ("old-c6", "xen-b", 124), ("files-b7", "xen-c", 136), ("stream-b8", "xen-c", 150),
    ("web-a4", "xen-c", 150), ("db-a5", "xen-b", 166), ("render-a2", "xen-c", 182), ("mq-c3", "xen-c", 200),
    ("solver-a3", "xen-b", 214),
]
# inter-domain traffic, Mbit/s (both directions)
IDC = [("web-a4", "db-a5", 120), ("web-a4", "cache-a6", 60), ("proxy-b3", "stream-b8", 90),
       ("mq-c3", "etl-b2", 40), ("batch-a1", "solver-a3", 30)]

class Dom:
    def __init__(self, name, cls, gib, vcpus, host):
        self.name, self.cls, self.kb, self.vcpus, self.host = name, cls, gib * GIB, vcpus, host
        self.load = load(cls)
        self.reset()
        self.state = "-----r"
    def reset(self):
        self.cpu_s = self.tx = self.rx = self.rs = self.ws = self.rd = self.wr = 0.0
        self.prev_cpu_s = 0.0

doms = {g[0]: Dom(*g) for g in GUESTS}
for h in HOSTS:
    d = Dom("Domain-0", "idle", 8, 16, h)
    d.load = dict(cpu=0.5, disk=0, net=0)
    doms["Domain-0@" + h] = d

# each migration's frames: [start, end)
windows = []
for name, dest, start in MIGRATIONS:
    d = doms[name]
    t = 2 + d.kb * 1024 / (BW * (1 - R.uniform(*DIRTY[d.cls]))) * math.exp(R.gauss(0, 0.12))
    windows.append((name, dest, start, start + math.ceil(t / DT)))

out = {h: [] for h in HOSTS}
incoming = {}   # name -> (dest, end)
for f in range(FRAMES):
    ts = T0 + f * DT
    for name, dest, start, end in windows:
        d = doms[name]
        if f == start:
            incoming[name] = (d.host, dest, end)
        if f == end:
            del incoming[name]
            d.host = dest
            d.reset()
    rows = {h: [] for h in HOSTS}
    for key, d in doms.items():
        ramp = 1.0
        if d.host == "xen-a" and d.cls == "cpu" and 72 <= f < 132:
            ramp = 1.45
        busy = d.load["cpu"] * ramp * math.exp(R.gauss(0, 0.05))
        if d.name == "Domain-0":
            for n, (src, dest, end) in incoming.items():
                busy += 0.6 if src == d.host else 0.3 if dest == d.host else 0
        d.cpu_s += busy * DT
        disk = d.load["disk"] * math.exp(R.gauss(0, 0.05)) * 1e6 / 512 * DT
        net = d.load["net"] * math.exp(R.gauss(0, 0.05)) * 1e6 / 1024 * DT
        d.rs += disk * 0.4; d.ws += disk * 0.6; d.rd += disk / 64; d.wr += disk / 96
        d.tx += net * 0.5; d.rx += net * 0.5
        pct = 0.0 if f == 0 else (d.cpu_s - d.prev_cpu_s) / DT * 100
        d.prev_cpu_s = d.cpu_s
        name = d.name
        if name in incoming:
            src, dest, end = incoming[name]
            rows[src].append((name + "--migratedaway", "-----r", d, pct))
            rows[dest].append((name + "--incoming", "----p-", None, 0.0))
        else:
            rows[d.host].append((name, "-----r", d, pct))
    for h in HOSTS:
        lines = ["      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID"]
        for name, state, d, pct in sorted(rows[h], key=lambda r: r[0].lower()):
            if d is None:   # the paused receiver: memory allocated, nothing run yet
                g = doms[name[:-len("--incoming")]]
                kb, vc, cpu_s, tx, rx, rd, wr, rs, ws = g.kb, g.vcpus, 0, 0, 0, 0, 0, 0, 0
            else:
                kb, vc = d.kb, d.vcpus
                cpu_s, tx, rx, rd, wr, rs, ws = d.cpu_s, d.tx, d.rx, d.rd, d.wr, d.rs, d.ws
            dom0 = name == "Domain-0"
            maxk = "no limit" if dom0 else str(kb + 1024)
            maxp = "n/a" if dom0 else "%.1f" % ((kb + 1024) / HOST_KB * 100)
            lines.append("%10s %s %10d %6.1f %10d %6.1f %10s %9s %5d %4d %8d %8d %4d %8d %8d %8d %10d %10d %4d" % (
                name, state, cpu_s, pct, kb, kb / HOST_KB * 100, maxk, maxp, vc, 0 if dom0 else 1,
                tx, rx, 0 if dom0 else 1, 0, rd, wr, rs, ws, 0))
        for i, l in enumerate(lines):
            out[h].append("%.6f %s\n" % (ts + i * 1e-5, l))

for h in HOSTS:
    os.makedirs(os.path.join(HERE, "traces"), exist_ok=True)
    with open(os.path.join(HERE, "traces", h + ".xentop.txt.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as z:
            z.write("".join(out[h]).encode())
with open(os.path.join(HERE, "idc.csv"), "w") as f:
    f.write("src,dst,mbit_s\n")
    for a, b, r in IDC:
        f.write("%s,%s,%d\n" % (a, b, r))
for name, dest, start, end in windows:
    print("%-10s %-6s frames %3d-%3d (%3d s)" % (name, dest, start, end, (end - start) * 10))
