#!/usr/bin/python3
"""Writes input.txt: a synthetic but self-consistent precopy migration of a
4 GiB guest over a 1 Gbit/s link, polled with query-migrate every 700 ms and
logged as JSON lines {"timestamp": epoch-seconds, "return": MigrationInfo}.

Model (10 ms steps): 70 % of the guest's 1,052,736 pages are zero (sent as
'duplicate' markers of 9 bytes), the rest as 'normal' pages of 4096 bytes plus
an 8-byte header; link payload 117.5 MB/s. The guest dirties 8,000 pages/s
within a 60,000-page working set (unique dirty pages after s seconds:
W·(1 − exp(−rate·s/W))). Each pass ends with a bitmap sync (dirty-sync-count
+1; the first sync happens at setup). QEMU stops the guest when the remaining
bytes would take under the 300 ms downtime limit at the measured bandwidth;
the final pass and 19 ms of device state are the downtime.

Invariants (checked by qmp_test.go): transferred = precopy-bytes +
downtime-bytes + postcopy-bytes; normal-bytes = normal·page-size; remaining =
dirty pages·page-size; transferred = normal·4104 + duplicate·9;
dirty-sync-count never decreases; total-time grows by the poll interval.
Run: /usr/bin/python3 make.py > input.txt
"""
import json, math

PAGE = 4096
PAGES = 1052736              # 4 GiB guest + 16 MiB VGA + 256 KiB ROMs
ZERO_FRAC = 0.70
BW = 117.5e6                 # bytes/s of payload
ZERO_RATE = 2.0e6            # zero pages scanned per second
DIRTY_RATE = 8000.0          # pages/s
WSS = 60000.0                # pages
LIMIT = 0.300                # s
DT = 0.010
POLL = 0.700
T0 = 1795305600.250          # collector clock at migration start
SETUP = 0.012

normal = dup = 0
precopy = downtime_bytes = 0
sync = 1                     # sync at setup
to_send = PAGES              # pages queued in this pass
zero_left = int(PAGES * ZERO_FRAC)
dirty_new = 0.0              # unique pages dirtied during this pass
pass_start = SETUP
t = 0.0
polls = []
next_poll = 0.0
status = "setup"
expected = None
dirty_rate_pages = 0
mbps = 0.0
ppsec = 0
done = False

def info(now, st):
    ram = {
        "transferred": normal * (PAGE + 8) + dup * 9,
        "remaining": int(to_send) * PAGE,
        "total": PAGES * PAGE,
        "duplicate": dup,
        "skipped": 0,
        "normal": normal,
        "normal-bytes": normal * PAGE,
        "dirty-pages-rate": dirty_rate_pages,
        "mbps": round(mbps, 3),
        "dirty-sync-count": sync,
        "page-size": PAGE,
        "multifd-bytes": 0,
        "pages-per-second": ppsec,
        "precopy-bytes": precopy,
        "downtime-bytes": downtime_bytes,
        "postcopy-bytes": 0,
        "dirty-sync-missed-zero-copy": 0,
    }
    assert ram["transferred"] == ram["precopy-bytes"] + ram["downtime-bytes"] + ram["postcopy-bytes"]
    m = {"status": st}
    if st != "setup":
        m["setup-time"] = int(SETUP * 1000)
        m["total-time"] = int(round(now * 1000))
    if st == "active":
        m["expected-downtime"] = expected if expected is not None else 300
    m["ram"] = ram
    return m

while not done:
    if t + 1e-9 >= next_poll:
        polls.append((t, info(t, status)))
        next_poll += POLL
    t += DT
    if t < SETUP:
        continue
    status = "active"
    # send for DT seconds
    budget = DT
    z = min(zero_left, int(ZERO_RATE * budget))
    zero_left -= z; dup += z; to_send -= z
    budget -= z / ZERO_RATE
    nz = min(int(to_send) - zero_left, int(BW * budget / (PAGE + 8)))
    normal += nz; to_send -= nz
    precopy += z * 9 + nz * (PAGE + 8)
    mbps = BW * 8 / 1e6 * (0.98 + 0.02 * math.cos(t))
    ppsec = int(BW / (PAGE + 8))
    s = t - pass_start
    dirty_new = WSS * (1 - math.exp(-DIRTY_RATE * s / WSS))
    if to_send <= 0:
        # end of pass: bitmap sync
        sync += 1
        dirty_rate_pages = int(dirty_new / s) if s > 0 else 0
        to_send = int(dirty_new)
        pass_start = t
        expected = int(to_send * PAGE / BW * 1000)
        if to_send * PAGE / BW < LIMIT:
            # stop and copy: final sync, send the rest with the guest paused
            sync += 1
            stop = to_send * (PAGE + 8) / BW + 0.019
            downtime_bytes = to_send * (PAGE + 8)
            normal += to_send
            t += stop
            to_send = 0
            status = "completed"
            m = info(t, status)
            m["downtime"] = int(round(stop * 1000))
            while next_poll < t:
                next_poll += POLL
            polls.append((next_poll, m))
            done = True

for when, m in polls:
    print(json.dumps({"timestamp": round(T0 + when, 6), "return": m}, separators=(", ", ": ")))
