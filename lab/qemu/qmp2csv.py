#!/usr/bin/env python3
"""Export the query-migrate polls of a QMP JSON-lines log (as lab.py writes
them) to CSV with a header: one row per poll, one column per member seen in
any poll, in first-seen order; nested members joined with a dot (QEMU's
names: ram.dirty-sync-count), or with --columns under migreplay's qmp_migrate
column names (ram_dirty_sync_count, total_time_ms). The poll's time is the
first column: epoch seconds with microseconds (--time epoch, the default) or
RFC 3339 in UTC (--time rfc3339). Events and commands are left out.

Usage: qmp2csv.py [--columns] [--time epoch|rfc3339] LOG.qmp.jsonl > OUT.csv
"""
import argparse
import csv
import datetime
import json
import sys

# QMP name -> qmp_migrate column, where they differ by more than - -> _ and . -> _
RENAME = {"total-time": "total_time_ms", "expected-downtime": "expected_downtime_ms", "downtime": "downtime_ms",
          "setup-time": "setup_time_ms", "postcopy-blocktime": "postcopy_blocktime_ms",
          "xbzrle-cache.cache-size": "xbzrle_cache_size", "xbzrle-cache.bytes": "xbzrle_bytes",
          "xbzrle-cache.pages": "xbzrle_pages", "xbzrle-cache.cache-miss": "xbzrle_cache_miss",
          "xbzrle-cache.cache-miss-rate": "xbzrle_cache_miss_rate", "xbzrle-cache.encoding-rate": "xbzrle_encoding_rate",
          "xbzrle-cache.overflow": "xbzrle_overflow",
          "dirty-limit-throttle-time-per-round": "dirty_limit_throttle_time_per_round_us",
          "dirty-limit-ring-full-time": "dirty_limit_ring_full_time_us"}


def flat(obj, prefix=""):
    for k, v in obj.items():
        if isinstance(v, dict):
            yield from flat(v, prefix + k + ".")
        else:
            yield prefix + k, v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--columns", action="store_true")
    ap.add_argument("--time", default="epoch", choices=["epoch", "rfc3339"])
    ap.add_argument("log")
    a = ap.parse_args()
    rows, names = [], []
    with open(a.log) as f:
        for line in f:
            o = json.loads(line)
            if "return" not in o or not o["return"]:
                continue
            ts = o["timestamp"]
            if a.time == "epoch":
                tv = "%d.%06d" % (ts["seconds"], ts["microseconds"])
            else:
                tv = datetime.datetime.fromtimestamp(ts["seconds"], datetime.timezone.utc).replace(
                    microsecond=ts["microseconds"]).isoformat().replace("+00:00", "Z")
            row = dict(flat(o["return"]))
            for k in row:
                if k not in names:
                    names.append(k)
            rows.append((tv, row))
    def col(n):
        if not a.columns:
            return n
        return RENAME.get(n, n.replace("-", "_").replace(".", "_"))
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["time" if a.columns else "timestamp"] + [col(n) for n in names])
    for tv, row in rows:
        w.writerow([tv] + ["" if row.get(n) is None else row[n] for n in names])


if __name__ == "__main__":
    main()
