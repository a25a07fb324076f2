#!/usr/bin/env python3
"""Write the lab guest's initramfs: a gzip'd newc cpio with busybox (static),
the dirtier, and an /init that mounts /proc and /sys, runs the dirtier, and
powers off if it exits. Usage: initramfs.py OUT DIRTIER [BUSYBOX]

The archive is written from this script's own listing (no cpio tool needed);
every entry has mtime 0 and uid/gid 0, so the same inputs give the same bytes.
"""
import gzip
import io
import sys

INIT = b"""#!/bin/sh
# lab guest init: the kernel hands us its unknown name=value words as
# environment variables (dirty_ws, dirty_rate, ...), which the dirtier reads.
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "guest kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu, $(grep MemTotal /proc/meminfo)"
/dirtier
echo "dirtier exited with $?"
poweroff -f
"""


def entry(out, name, mode, data=b"", rdev=(0, 0), ino=[1]):
    ino[0] += 1
    hdr = "070701" + "".join("%08X" % v for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0))
    out.write(hdr.encode() + name.encode() + b"\0")
    out.write(b"\0" * (-(110 + len(name) + 1) % 4))
    out.write(data)
    out.write(b"\0" * (-len(data) % 4))


def main():
    out_path, dirtier = sys.argv[1], sys.argv[2]
    busybox = sys.argv[3] if len(sys.argv) > 3 else "/bin/busybox"
    buf = io.BytesIO()
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        entry(buf, d, 0o040755)
    entry(buf, "dev/console", 0o020600, rdev=(5, 1))  # the kernel opens it for init's stdio
    entry(buf, "bin/busybox", 0o100755, open(busybox, "rb").read())
    for applet in ("sh", "mount", "poweroff", "uname", "grep", "cat", "echo"):
        entry(buf, "bin/" + applet, 0o120777, b"busybox")
    entry(buf, "dirtier", 0o100755, open(dirtier, "rb").read())
    entry(buf, "init", 0o100755, INIT)
    entry(buf, "TRAILER!!!", 0)
    with open(out_path, "wb") as f:
        f.write(gzip.compress(buf.getvalue(), compresslevel=6, mtime=0))


if __name__ == "__main__":
    main()
