#!/usr/bin/python3
"""Reference values for replay/trace_lake_ingest_test.go, read from the bundled
traces without migreplay's parsers. Run from the repository root:
/usr/bin/python3 replay/testdata/trace_refs.py (Python 3.11, standard library)."""

# --- qmp: datasets/traces/kvm1.qmp.jsonl ---
# TraceFromQMP's rules (skip setup polls and polls without dirty-pages-rate; time = total-time/1000;
# repeated times dropped; a dirty-pages-rate covers the period up to the poll that first shows it,
# so each new value holds from when the previous one was first shown, the first from 0; leading
# zeros are not values; divided by 1 - cpu-throttle-percentage/100 of the poll before), then
# Trace.MeanRate (time-weighted over one pass, the last sample for one spacing).
import json
seen = []
polls = [json.loads(l) for l in open('datasets/traces/kvm1.qmp.jsonl')]
for p in polls:
    r = p['return']
    if r.get('status') == 'setup' or 'ram' not in r or 'dirty-pages-rate' not in r['ram']:
        continue
    t = r['total-time'] / 1000
    if seen and t <= seen[-1][0]:
        continue
    seen.append((t, float(r['ram']['dirty-pages-rate']), 1 - min(max(r.get('cpu-throttle-percentage', 0), 0), 99) / 100))
ts, rs, frm = [], [], 0.0
for i, (t, v, run) in enumerate(seen):
    if i > 0 and v == seen[i-1][1]:
        continue
    if not rs and v == 0 and i + 1 < len(seen):
        continue
    ts.append(frm); rs.append(v / (seen[i-1][2] if i > 0 else run)); frm = t
print('samples', list(zip(ts, rs)))
n = len(ts)
period = ts[-1] - ts[0] + (ts[-1] - ts[-2])
w = sum(rs[i] * (ts[i+1] - ts[i]) for i in range(n - 1)) + rs[-1] * (ts[-1] - ts[-2])
print(n, 'samples, mean %.12g pages/s' % (w / period))
# figures: ram.total, duplicate/pages at first poll with sync>=2 or completed, median mbps of active polls
import statistics
tot = max(p['return']['ram']['total'] for p in polls if 'ram' in p['return'])
page = 4096
for p in polls:
    r = p['return']; ram = r.get('ram', {})
    if 'duplicate' in ram and (ram.get('dirty-sync-count', 0) >= 2 or r.get('status') == 'completed'):
        print('zero share %.12g (duplicate %d of %d pages)' % (ram['duplicate'] / (tot // page), ram['duplicate'], tot // page)); break
m = [p['return']['ram']['mbps'] for p in polls if p['return'].get('status') == 'active' and p['return']['ram'].get('mbps', 0) > 0]
print('total', tot, 'median mbps %.12g over %d polls -> %.12g B/s' % (statistics.median(m), len(m), statistics.median(m) * 1e6 / 8))

# --- xentop: datasets/traces/lab1.xentop.txt.gz, domain app07 ---
# Independent reference for the xentop mapping: parse lab1.xentop.txt.gz with a
# regex, sum app07's CPU(%) per frame (all name variants), skip frame 0, and
# take the time-weighted mean the way Trace.MeanRate defines it.
import gzip, re
row = re.compile(r'^(\d+\.\d+)\s+(.+?)\s+([-dsbcpr]{6})\s+(\d+)\s+(\d+\.\d+)\s+(\d+)\s')
mem = 0
frames = []  # (time, {name: cpu})
for line in gzip.open('datasets/traces/lab1.xentop.txt.gz', 'rt'):
    if 'NAME  STATE' in line:
        frames.append([float(line.split()[0]), 0.0, False])
        continue
    m = row.match(line)
    if m and frames:
        name = m.group(2)
        base = re.sub(r'--(incoming|migratedaway)$', '', name)
        if base == 'app07':
            frames[-1][1] += float(m.group(5)); frames[-1][2] = True
            mem = max(mem, int(m.group(6)))
fr = [(t, c) for i, (t, c, has) in enumerate(frames) if i > 0 and has]
ends = [t for t, _ in fr]; rates = [c for _, c in fr]
# starts: first interval as long as the second
starts = [0.0] + [ends[i-1] - (ends[0] - (ends[1]-ends[0])) for i in range(1, len(ends))]
n = len(starts)
period = starts[-1] - starts[0] + (starts[-1] - starts[-2])
w = sum(rates[i]*(starts[i+1]-starts[i]) for i in range(n-1)) + rates[-1]*(starts[-1]-starts[-2])
print(len(fr), 'frames; mean CPU%% %.12g; largest MEM(k) %d' % (w/period, mem))
