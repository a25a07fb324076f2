#!/usr/bin/env python3
"""The QEMU live-migration testbed: boots a tiny guest (a Debian kernel and an
initramfs holding busybox and our dirtier, see dirtier.c) in a source QEMU,
starts a destination QEMU with -incoming, migrates the guest between them over
a UNIX socket on this machine, and logs what a QMP collector would:

  datasets/qemu/traces/<run>.qmp.jsonl  one JSON object a line:
      {"timestamp": {"seconds": s, "microseconds": us}, "execute": ..., "arguments": ...}
          each command the testbed sent to the source (capabilities,
          parameters, migrate, migrate-start-postcopy, migrate_cancel);
      {"timestamp": {...}, "return": {...query-migrate reply...}}
          a poll, every 100 ms from the migrate command until one poll after
          the migration ended (completed, failed or cancelled);
      {"timestamp": {...}, "event": "MIGRATION" | "MIGRATION_PASS", "data": ...}
          the source's events as QEMU sent them (QEMU's own timestamps).
      Poll timestamps are this machine's clock when the reply arrived.
  datasets/qemu/manifest.json           each run's parameters and what the
      guest measured (its write rate, per second), plus the software used.

Usage: lab.py [--only NAME[,NAME...]] [--accel auto|kvm|tcg] [--out DIR] [--list]
Needs (Debian): qemu-system-x86 (10.0 from bookworm-backports), linux-image-amd64,
busybox-static, gcc, python3. Run as root (post-copy needs userfaultfd).
"""
import argparse
import glob
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MB = 1000 * 1000

# Each scenario: name, group, guest RAM (MiB), the dirtier's parameters (ws
# MiB, rate and read pages/s, dur s, cpu %), downtime-limit (ms), max-bandwidth
# (bytes/s, also max-postcopy-bandwidth), capabilities, when to switch to
# post-copy (seconds after migrate, and only once dirty-sync-count reached
# min_syncs), how long to let the migration run before migrate_cancel, and
# the status the run must end in. warm: seconds between the dirtier's
# "ready" and the migrate command.
def S(name, group, ram, ws=1, rate=0, read=0, dur=0, cpu=0, dl=300, bw=50 * MB,
      caps=(), postcopy_after=None, min_syncs=2, timeout=120, expect="completed", warm=2.0):
    return dict(name=name, group=group, guest_ram_mib=ram,
                dirtier=dict(ws_mib=ws, rate_pages_s=rate, read_pages_s=read, duration_s=dur, cpu_pct=cpu),
                downtime_limit_ms=dl, max_bandwidth_bytes_s=bw, capabilities=sorted(caps),
                postcopy_after_s=postcopy_after, postcopy_min_syncs=min_syncs if postcopy_after is not None else None,
                cancel_after_s=timeout, expect_status=expect, warm_s=warm)


SCENARIOS = [
    # idle guests: only the kernel's own writes; most pages are zero pages
    S("idle-256m", "idle", 256, bw=125 * MB),
    S("idle-1g", "idle", 1024, bw=125 * MB),
    S("idle-2g", "idle", 2048, bw=80 * MB),
    S("idle-512m-30mb-dl30", "idle", 512, bw=30 * MB, dl=30),
    # dirty rate well below the link (2000 pages/s = 8.2 MB/s against 50 MB/s), 3x for noise
    S("below-1g-a", "below", 1024, ws=256, rate=2000),
    S("below-1g-b", "below", 1024, ws=256, rate=2000),
    S("below-1g-c", "below", 1024, ws=256, rate=2000),
    S("below-512m-dl30", "below", 512, ws=128, rate=2000, dl=30),
    S("below-2g-ws1g", "below", 2048, ws=1024, rate=5000, bw=125 * MB),
    S("below-512m-reads", "below", 512, ws=128, rate=3000, read=50000, dl=100),
    S("below-512m-cpu100", "below", 512, ws=64, rate=5000, cpu=100, bw=80 * MB),
    # near the link (10000 pages/s = 41 MB/s against 50 MB/s)
    S("near-1g-dl300", "near", 1024, ws=256, rate=10000),
    S("near-1g-dl1000", "near", 1024, ws=256, rate=10000, dl=1000),
    S("near-512m-30mb-ac", "near", 512, ws=128, rate=6500, bw=30 * MB, caps=["auto-converge"]),
    # above the link (25000 pages/s = 102 MB/s against 50 MB/s): auto-converge needed, 3x
    S("above-1g-ac-a", "above", 1024, ws=256, rate=25000, caps=["auto-converge"]),
    S("above-1g-ac-b", "above", 1024, ws=256, rate=25000, caps=["auto-converge"]),
    S("above-1g-ac-c", "above", 1024, ws=256, rate=25000, caps=["auto-converge"]),
    S("above-512m-30mb-ac-dl100", "above", 512, ws=128, rate=15000, bw=30 * MB, dl=100, caps=["auto-converge"]),
    # above the link without auto-converge: never converges, cancelled after 40 s
    S("above-1g-noac", "above", 1024, ws=256, rate=25000, timeout=40, expect="cancelled"),
    # the workload stops mid-migration (dirtier runs dur s after ready; the
    # migrate command comes warm=2 s after ready): runs that outlast their workload
    S("phase-1g-stop12-a", "phase", 1024, ws=256, rate=25000, dur=12),
    S("phase-1g-stop12-b", "phase", 1024, ws=256, rate=25000, dur=12),
    S("phase-1g-stop20-ac", "phase", 1024, ws=256, rate=25000, dur=20, caps=["auto-converge"]),
    S("phase-512m-30mb-stop10-dl1000", "phase", 512, ws=128, rate=15000, dur=10, bw=30 * MB, dl=1000),
    # post-copy switched late: after >= min_syncs passes and postcopy_after s
    S("postcopy-1g-late", "postcopy", 1024, ws=256, rate=25000, caps=["postcopy-ram"], postcopy_after=10),
    S("postcopy-512m-30mb-late", "postcopy", 512, ws=128, rate=15000, bw=30 * MB, caps=["postcopy-ram"],
      postcopy_after=8, min_syncs=3),
    S("postcopy-1g-late-b", "postcopy", 1024, ws=256, rate=25000, caps=["postcopy-ram"], postcopy_after=10),
]

POLL = 0.1  # seconds between query-migrate polls


class QMP:
    """A minimal QMP client: commands get replies; events are kept."""

    def __init__(self, path, log=None):
        deadline = time.time() + 30
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.sock.makefile("rb")
        self.log, self.events, self.n = log, [], 0
        json.loads(self.f.readline())  # greeting
        self.cmd("qmp_capabilities", log=False)

    def cmd(self, name, args=None, log=True):
        self.n += 1
        msg = {"execute": name, "id": self.n}
        if args is not None:
            msg["arguments"] = args
        if log and self.log:
            rec = {"timestamp": stamp(time.time()), "execute": name}
            if args is not None:
                rec["arguments"] = args
            self.log.write(json.dumps(rec) + "\n")
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError("QMP closed during " + name)
            obj = json.loads(line)
            if "event" in obj:
                self.events.append(line.decode().strip())
                continue
            if obj.get("id") != self.n:
                continue
            if "error" in obj:
                raise RuntimeError("%s: %s" % (name, obj["error"]))
            return obj["return"], time.time()

    def flush_events(self):
        if self.log:
            for e in self.events:
                self.log.write(e + "\n")
        self.events = []

    def close(self):
        self.sock.close()


def stamp(t):
    s = int(t)
    return {"seconds": s, "microseconds": int(round((t - s) * 1e6)) % 1000000}


def exited(q, err):
    """The VM's run state after the migration, or why its QEMU has gone."""
    try:
        st, _ = q.cmd("query-status", log=False)
        return st["status"]
    except (RuntimeError, OSError):
        with open(err, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
        return "exited" + (": " + lines[-1] if lines else "")


def guest_kernel():
    ks = sorted(glob.glob("/boot/vmlinuz-*"))
    if not ks:
        sys.exit("no /boot/vmlinuz-*: apt-get install linux-image-amd64")
    return ks[-1]


def build(work):
    dirtier = os.path.join(work, "dirtier")
    subprocess.check_call(["gcc", "-O2", "-Wall", "-static", "-o", dirtier, os.path.join(HERE, "dirtier.c")])
    initrd = os.path.join(work, "initrd.gz")
    subprocess.check_call([sys.executable, os.path.join(HERE, "initramfs.py"), initrd, dirtier])
    return initrd


def qemu_cmd(accel, ram, kernel, initrd, append, serial, qmp, incoming=False):
    cpu = "host" if accel == "kvm" else "max"
    cmd = ["qemu-system-x86_64", "-nodefaults", "-display", "none", "-no-reboot",
           "-machine", "q35,accel=" + accel, "-cpu", cpu, "-smp", "1", "-m", str(ram),
           "-kernel", kernel, "-initrd", initrd, "-append", append,
           "-serial", "file:" + serial, "-qmp", "unix:%s,server=on,wait=off" % qmp]
    if incoming:
        cmd += ["-incoming", "defer"]
    return cmd


def append_line(sc):
    d = sc["dirtier"]
    return ("console=ttyS0 panic=-1 quiet loglevel=3 dirty_ws=%d dirty_rate=%d dirty_read=%d dirty_dur=%d dirty_cpu=%d"
            % (d["ws_mib"], d["rate_pages_s"], d["read_pages_s"], d["duration_s"], d["cpu_pct"]))


def wait_for(path, pattern, timeout, proc=None):
    """Waits until a line of the file matches; returns (match, time seen)."""
    deadline = time.time() + timeout
    rx = re.compile(pattern)
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return None, None
        try:
            with open(path, errors="replace") as f:
                for line in f:
                    m = rx.search(line)
                    if m:
                        return m, time.time()
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    return None, None


def probe_accel(kernel, initrd, work):
    """kvm when a guest boots under KVM to its init within 20 s, else tcg."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "/dev/kvm is not usable"
    serial, qmp = os.path.join(work, "probe.log"), os.path.join(work, "probe.qmp")
    p = subprocess.Popen(qemu_cmd("kvm", 256, kernel, initrd, "console=ttyS0 panic=-1 quiet loglevel=3 dirty_ws=1",
                                  serial, qmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    m, _ = wait_for(serial, r"dirtier ready", 20, p)
    p.kill()
    p.wait()
    if m:
        return "kvm", "a guest booted under KVM"
    mods = sorted(x for x in os.listdir("/sys/module") if x.startswith("kvm"))
    return "tcg", ("/dev/kvm is present (modules: %s) but the Debian guest kernel did not reach its init "
                   "under KVM within 20 s" % ", ".join(mods))


DIRTIER_LINE = re.compile(r"dirtier t=([\d.]+) written=(\d+) read=(\d+) rate=(\d+) dropped=(\d+) phase=(\w+)")


def guest_lines(path):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = DIRTIER_LINE.search(line)
            if m:
                out.append([float(m[1]), int(m[2]), int(m[4]), int(m[5]), m[6]])
    return out


def run(sc, accel, kernel, initrd, work, outdir):
    name = sc["name"]
    rdir = os.path.join(work, name)
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    src_ser, dst_ser = os.path.join(rdir, "src.log"), os.path.join(rdir, "dst.log")
    src_qmp, dst_qmp = os.path.join(rdir, "src.qmp"), os.path.join(rdir, "dst.qmp")
    mig = "unix:" + os.path.join(rdir, "mig.sock")
    app = append_line(sc)
    src_err, dst_err = os.path.join(rdir, "src.err"), os.path.join(rdir, "dst.err")
    src = subprocess.Popen(qemu_cmd(accel, sc["guest_ram_mib"], kernel, initrd, app, src_ser, src_qmp),
                           stderr=open(src_err, "w"))
    dst = subprocess.Popen(qemu_cmd(accel, sc["guest_ram_mib"], kernel, initrd, app, dst_ser, dst_qmp, incoming=True),
                           stderr=open(dst_err, "w"))
    tmp = os.path.join(outdir, "traces", name + ".qmp.jsonl.tmp")
    log = open(tmp, "w")
    try:
        m, t_ready = wait_for(src_ser, r"dirtier ready .*fill_ms=(\d+)", 120, src)
        if not m:
            raise RuntimeError("%s: the guest did not start its dirtier (see %s)" % (name, src_ser))
        s, d = QMP(src_qmp, log), QMP(dst_qmp)
        ver, _ = s.cmd("query-version", log=False)
        caps = [{"capability": c, "state": True} for c in ["events"] + sc["capabilities"]]
        dcaps = [c for c in caps if c["capability"] == "postcopy-ram"]
        if dcaps:
            d.cmd("migrate-set-capabilities", {"capabilities": dcaps})
        d.cmd("migrate-incoming", {"uri": mig})
        s.cmd("migrate-set-capabilities", {"capabilities": caps})
        s.cmd("migrate-set-parameters", {"downtime-limit": sc["downtime_limit_ms"],
                                         "max-bandwidth": sc["max_bandwidth_bytes_s"],
                                         "max-postcopy-bandwidth": sc["max_bandwidth_bytes_s"]})
        params, _ = s.cmd("query-migrate-parameters", log=False)
        time.sleep(max(0.0, t_ready + sc["warm_s"] - time.time()))
        _, t_mig = s.cmd("migrate", {"uri": mig})
        polls, switched, cancelled, final, status = 0, None, None, None, None
        k = 0
        while True:
            k += 1
            r, t = s.cmd("query-migrate", log=False)
            s.flush_events()
            log.write(json.dumps({"timestamp": stamp(t), "return": r}) + "\n")
            polls += 1
            status = r.get("status")
            if final is not None:
                break
            if status in ("completed", "failed", "cancelled"):
                final = status
            elif (sc["postcopy_after_s"] is not None and switched is None and status == "active"
                  and t - t_mig >= sc["postcopy_after_s"]
                  and r.get("ram", {}).get("dirty-sync-count", 0) >= sc["postcopy_min_syncs"]):
                _, switched = s.cmd("migrate-start-postcopy")
            elif cancelled is None and t - t_mig >= sc["cancel_after_s"] and status in ("active", "device"):
                _, cancelled = s.cmd("migrate_cancel")
            time.sleep(max(0.0, t_mig + k * POLL - time.time()))
        time.sleep(2.5)  # the guest goes on at the destination: let it print
        s.flush_events()
        dst_status, src_status = exited(d, dst_err), exited(s, src_err)
        log.close()
        os.replace(tmp, os.path.join(outdir, "traces", name + ".qmp.jsonl"))
        for q in (s, d):
            try:
                q.cmd("quit", log=False)
            except (RuntimeError, OSError):
                pass
    finally:
        if not log.closed:
            log.close()
        for p in (src, dst):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    g_src, g_dst = guest_lines(src_ser), guest_lines(dst_ser)
    mig_t = round(t_mig - t_ready, 3)
    before = [g for g in g_src if g[0] <= mig_t]
    entry = dict(sc)
    entry.update({
        "trace": "traces/%s.qmp.jsonl" % name,
        "qemu_args": " ".join(qemu_cmd(accel, sc["guest_ram_mib"], os.path.basename(kernel), "initrd.gz", app,
                                       "src.log", "src.qmp")),
        "accel": accel,
        "qemu": "%d.%d.%d%s" % (ver["qemu"]["major"], ver["qemu"]["minor"], ver["qemu"]["micro"], ver["package"]),
        "final_status": final,
        "polls": polls,
        "postcopy_switched_after_s": None if switched is None else round(switched - t_mig, 3),
        "cancelled_after_s": None if cancelled is None else round(cancelled - t_mig, 3),
        "source_after": src_status,
        "destination_after": dst_status,
        "migration_parameters": {k: params[k] for k in sorted(params) if k in (
            "downtime-limit", "max-bandwidth", "max-postcopy-bandwidth", "cpu-throttle-initial",
            "cpu-throttle-increment", "cpu-throttle-tailslow", "max-cpu-throttle", "avail-switchover-bandwidth",
            "multifd-channels")},
        "guest": {
            "fill_ms": int(m[1]),
            "migrate_at_s": mig_t,
            "write_rate_before_migrate_pages_s": round(before[-1][1] / before[-1][0]) if before else None,
            # [t since ready (s), pages written so far, pages written in the last second,
            #  pages dropped so far, phase]; source console first, then the destination's
            "per_second_source": g_src,
            "per_second_destination": g_dst,
        },
    })
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="comma-separated run names (default: all)")
    ap.add_argument("--accel", default="auto", choices=["auto", "kvm", "tcg"])
    ap.add_argument("--out", default=os.path.join(ROOT, "datasets", "qemu"))
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    a = ap.parse_args()
    if a.list:
        for sc in SCENARIOS:
            print(sc["name"])
        return
    only = set(x for x in a.only.split(",") if x)
    unknown = only - {sc["name"] for sc in SCENARIOS}
    if unknown:
        sys.exit("unknown run(s): %s (see --list)" % ", ".join(sorted(unknown)))
    os.makedirs(os.path.join(a.out, "traces"), exist_ok=True)
    # a fixed scratch folder, so the migrate URIs in the logs do not vary
    work = "/tmp/qemu-lab"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    kernel = guest_kernel()
    initrd = build(work)
    accel, why = (a.accel, "forced with --accel") if a.accel != "auto" else probe_accel(kernel, initrd, work)
    print("accelerator: %s (%s)" % (accel, why), flush=True)
    mpath = os.path.join(a.out, "manifest.json")
    manifest = {"runs": []}
    if os.path.exists(mpath):
        with open(mpath) as f:
            manifest = json.load(f)
    runs = {r["name"]: r for r in manifest["runs"]}
    qv = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    for sc in SCENARIOS:
        if only and sc["name"] not in only:
            continue
        t0 = time.time()
        with open("/proc/loadavg") as f:
            load = float(f.read().split()[0])
        e = run(sc, accel, kernel, initrd, work, a.out)
        # the machine is shared: its load before the run says how busy it was
        e["host_cpus"], e["host_load_1m_before"] = os.cpu_count(), load
        e["accel_reason"] = why
        e["recorded"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0))
        e["host_kernel"] = platform.release()
        e["guest_kernel"] = os.path.basename(kernel).removeprefix("vmlinuz-")
        e["qemu_version_line"] = qv
        runs[sc["name"]] = e
        print("%-32s %-10s %3d polls  %5.1f s" % (sc["name"], e["final_status"], e["polls"], time.time() - t0), flush=True)
        order = [s["name"] for s in SCENARIOS]
        manifest["runs"] = [runs[n] for n in order if n in runs]
        with open(mpath + ".tmp", "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(mpath + ".tmp", mpath)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
