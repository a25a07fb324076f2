# Writes the input.txt / options.json of each golden case in this folder by
# formatting xentop -b output the way xentop.c's printf formats do
# (Xen 3.x-4.17, the 2025 -p box); domains and values are invented.
# Run with Debian's /usr/bin/python3, then refresh the want files with
# `go test ./ingest/xentop/ -run TestGolden -update` and review them.
import os, json
TD = os.path.dirname(os.path.abspath(__file__))

BASE = [("STATE",6),("CPU(sec)",10),("CPU(%)",6),("MEM(k)",10),("MEM(%)",6),("MAXMEM(k)",10),("MAXMEM(%)",9),
        ("VCPUS",5),("NETS",4),("NETTX(k)",8),("NETRX(k)",8),("VBDS",4),("VBD_OO",8),("VBD_RD",8),("VBD_WR",8)]
NEW = [("VBD_RSECT",10),("VBD_WSECT",10)]

class Dom:
    def __init__(s, name, state, cpu, pct, mem, mempct, maxmem, maxpct, vcpus, nets, tx, rx, vbds, oo, rd, wr, rs=None, ws=None, ssid=0, vcpu=None, vbd=None, net=None, extra=None):
        s.__dict__.update(locals()); del s.__dict__['s']

def cols(pre40):
    c = list(BASE) + ([] if pre40 else list(NEW)) + [("SSID",4)]
    return c

def frame(doms, namew=10, full=False, pre40=False, repeat=False, stamp=None):
    c = cols(pre40)
    w = dict(c)
    key = {"NETTX(k)":"tx","NETRX(k)":"rx","VBD_RD":"rd","VBD_WR":"wr","VBD_RSECT":"rs","VBD_WSECT":"ws"}
    for d in doms:
        if full: namew = max(namew, len(d.name))
        for h,k in key.items():
            if h in w:
                v = getattr(d,k)
                if isinstance(v,int): w[h] = max(w[h], len(str(v+1)))
    hdr = "%*s" % (namew, "NAME") + "".join(" %*s" % (w[h], h) for h,_ in c)
    out = []
    st = (lambda: stamp()) if stamp else (lambda: "")
    if not repeat: out.append(st()+hdr)
    for d in doms:
        if repeat: out.append(st()+hdr)
        name = d.name if full else d.name[:10]
        line = "%*s" % (namew, name) + " " + d.state
        vals = {"CPU(sec)":d.cpu,"CPU(%)":d.pct,"MEM(k)":d.mem,"MEM(%)":d.mempct,"MAXMEM(k)":d.maxmem,"MAXMEM(%)":d.maxpct,
                "VCPUS":d.vcpus,"NETS":d.nets,"NETTX(k)":d.tx,"NETRX(k)":d.rx,"VBDS":d.vbds,"VBD_OO":d.oo,"VBD_RD":d.rd,"VBD_WR":d.wr,
                "VBD_RSECT":d.rs,"VBD_WSECT":d.ws,"SSID":d.ssid}
        for h,_ in c[1:]:
            v = vals[h]
            if isinstance(v,float): s = "%*.1f" % (w[h], v)
            elif isinstance(v,int): s = "%*d" % (w[h], v)
            else: s = "%*s" % (w[h], v)
            line += " " + s
        out.append(st()+line)
        if d.vcpu is not None:
            s = "VCPUs(sec): "
            for i,(idx,sec) in enumerate(d.vcpu):
                if idx != 0 and idx % 5 == 0:
                    out.append(st()+s); s = "        "
                s += " %2u: %10llus".replace("ll","") % (idx, sec)
            out.append(st()+s)
        for n in (d.net or []):
            out.append(st()+"Net%d RX: %8dbytes %8dpkts %8derr %8ddrop  TX: %8dbytes %8dpkts %8derr %8ddrop" % n)
        for v in (d.vbd or []):
            out.append(st()+v)
        for e in (d.extra or []):
            out.append(st()+e)
    return out

def vbd(kind, dev, oo, rd, wr, rs=None, ws=None, details=True):
    det = "[%2x:%2x] " % (dev>>8, dev&0xff) if details else ""
    k = (kind+" ") if kind else ""
    fmt = lambda v,n: ("%*s" % (n,v)) if isinstance(v,str) else ("%*d" % (n,v))
    s = "VBD %s%4d %s OO: %s   RD: %s   WR: %s" % (k, dev, det, fmt(oo,8), fmt(rd,8), fmt(wr,8))
    if rs is not None: s += "   RSECT: %s   WSECT: %s" % (fmt(rs,10), fmt(ws,10))
    return s

def write(case, lines, opts=None, eol="\n", final=True, raw=None):
    d = os.path.join(TD, case); os.makedirs(d, exist_ok=True)
    data = raw if raw is not None else (eol.join(lines) + (eol if final else "")).encode()
    open(os.path.join(d,"input.txt"),"wb").write(data)
    p = os.path.join(d,"options.json")
    if opts: open(p,"w").write(json.dumps(opts, indent=1)+"\n")
    elif os.path.exists(p): os.remove(p)

class Clock:
    def __init__(s, fmt, t0): s.fmt, s.t = fmt, t0
    def __call__(s):
        s.t += 0.000017
        return s.fmt(s.t) + " "

import datetime
def epochfrac(t): return "%.6f" % t
def epochs(t): return "%d" % int(t)
def iso_z(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def iso_off(t):
    tz = datetime.timezone(datetime.timedelta(hours=1))
    return datetime.datetime.fromtimestamp(t, tz).isoformat(timespec="microseconds")
T0 = 1795305201.25  # 2026-11-21T23:53:21.25Z

# ---- xen417_vx: Xen 4.17 with -v -x, ts '%.s'
f0 = [
 Dom("alpha-01","--b---",12873,0.0,4194292,3.1,4195316,3.1,4,0,0,0,2,0,228841,1730017,9120364,55380011,
     vcpu=[(0,3411),(1,3270),(2,3102),(3,3090)],
     vbd=[vbd("BlkBack",51712,0,221003,1700440,8870031,54110220), vbd("BlkBack",51728,0,7838,29577,250333,1269791)]),
 Dom("Domain-0","-----r",98211,0.0,4194304,3.1,"no limit","n/a",11,0,0,0,0,0,0,0,0,0,
     vcpu=[(i,9000+i*37) for i in range(11)]),
 Dom("gamma","--b---",455,0.0,2097140,1.6,2098164,1.6,2,0,0,0,1,0,9041,2210,371334,88121,
     vcpu=[(0,230),(1,225)], vbd=[vbd("Tapdisk3",768,0,9041,2210,371334,88121)]),
 Dom("vm9--incoming","----p-",0,0.0,1048576,0.8,8389620,6.3,4,0,0,0,1,0,0,0,0,0,
     vcpu=[(0,0),(1,0),(2,0),(3,0)], vbd=[vbd("Tapdisk3",832,0,0,0,0,0)]),
 Dom("vm9--migratedaway","--b---",70012,0.0,8388596,6.2,8389620,6.3,4,0,0,0,1,0,1200345,3313009,40111234,98221009,
     vcpu=[(0,17500),(1,17600),(2,17450),(3,17462)], vbd=[vbd("Tapdisk3",768,0,1200345,3313009,40111234,98221009)]),
]
f1 = [
 Dom("alpha-01","-----r",12876,100.0,4194292,3.1,4195316,3.1,4,0,0,0,2,0,228900,1730100,9122000,55381000,
     vcpu=[(0,3412),(1,3271),(2,3102),(3,3091)],
     vbd=[vbd("BlkBack",51712,0,221060,1700520,8871667,54110920), vbd("BlkBack",51728,0,7840,29580,250333,1270080)]),
 Dom("Domain-0","--b---",98212,33.3,4194304,3.1,"no limit","n/a",11,0,0,0,0,0,0,0,0,0,
     vcpu=[(i,9000+i*37+(1 if i==3 else 0)) for i in range(11)]),
 Dom("gamma","--b---",455,0.0,2097140,1.6,2098164,1.6,2,0,0,0,1,0,9041,2210,371334,88121,
     vcpu=[(0,230),(1,225)], vbd=[vbd("Tapdisk3",768,0,9041,2210,371334,88121)]),
 Dom("vm9--incoming","----p-",0,0.0,5242880,3.9,8389620,6.3,4,0,0,0,1,0,0,0,0,0,
     vcpu=[(0,0),(1,0),(2,0),(3,0)], vbd=[vbd("Tapdisk3",832,0,0,0,0,0)]),
 Dom("vm9--migratedaway","--b---",70014,66.7,8388596,6.2,8389620,6.3,4,0,0,0,1,0,1200345,3313009,40111234,98221009,
     vcpu=[(0,17501),(1,17600),(2,17451),(3,17462)], vbd=[vbd("Tapdisk3",768,0,1200345,3313009,40111234,98221009)]),
]
c = Clock(epochfrac, T0)
L = frame(f0, stamp=c); c.t += 3
L += frame(f1, stamp=c)
write("xen417_vx_epochfrac", L, {"host":"xs17"})

# ---- pre40: Xen 3.x header without RSECT/WSECT, no prefix, --start/--interval
p0 = [
 Dom("Domain-0","-----r",5123,0.0,1048576,25.0,"no limit","n/a",2,0,0,0,0,0,0,0,vcpu=[(0,2600),(1,2523)]),
 Dom("etch-pv","--b---",812,0.0,262144,6.2,262144,6.2,1,1,10234,88123,1,0,20331,11092,vcpu=[(0,812)],
     vbd=[vbd(None,2049,0,20331,11092)]),
 Dom("hvm-xp","-----r",3310,0.0,524288,12.5,532480,12.7,1,1,4411,9012,2,3,15002,4402,vcpu=[(0,3310)],
     vbd=[vbd(None,768,3,12001,4400), vbd(None,5632,0,3001,2)]),
]
p1 = [
 Dom("Domain-0","-----r",5124,14.2,1048576,25.0,"no limit","n/a",2,0,0,0,0,0,0,0,vcpu=[(0,2601),(1,2523)]),
 Dom("etch-pv","--b---",812,0.3,262144,6.2,262144,6.2,1,1,10240,88200,1,0,20331,11095,vcpu=[(0,812)],
     vbd=[vbd(None,2049,0,20331,11095)]),
 Dom("hvm-xp","-----r",3313,99.8,524288,12.5,532480,12.7,1,1,4415,9020,2,3,15010,4410,vcpu=[(0,3313)],
     vbd=[vbd(None,768,3,12009,4408), vbd(None,5632,0,3001,2)]),
]
L = frame(p0, pre40=True) + frame(p1, pre40=True)
write("pre40_header", L, {"host":"oldbox","start":"2009-03-02T10:00:00Z","interval_ms":3000})

# ---- fullname_f: -f long names with spaces, ts '%s'
g0 = [
 Dom("billing-api--incoming","----p-",0,0.0,2097152,1.6,4195316,3.1,2,1,0,0,1,0,0,0,0,0),
 Dom("billing-api--migratedaway","--b---",23301,0.0,4194292,3.1,4195316,3.1,2,1,881234,1290331,1,0,331002,998120,9120331,30012009),
 Dom("Domain-0","-----r",77120,0.0,6291456,4.7,"no limit","n/a",8,0,0,0,0,0,0,0,0,0),
 Dom("ubuntu-2404-ci-runner-07","--b---",1209,0.0,16777204,12.5,16778228,12.5,8,1,5512,120331,1,0,88121,440012,3310022,22001911),
 Dom("win 10 (test)","--b---",9120,0.0,8388596,6.2,8389620,6.3,4,1,20331,441021,2,0,551002,331200,21330129,9912300),
]
c = Clock(epochs, T0)
L = frame(g0, full=True, stamp=c)
c.t += 3
g0[0].mem = 4194304; g0[0].mempct = 3.1
g0[1].cpu = 23302; g0[1].pct = 33.3
g0[2].cpu = 77121; g0[2].pct = 33.3
L += frame(g0, full=True, stamp=c)
write("fullname_f_epoch", L, {"host":"h-full"})

# ---- repeat_r: -r, ISO 8601 Z, domains come and go
k = lambda n, cpu, ctr=0: Dom(n,"--b---",cpu,0.0,1048564,0.8,1049588,0.8,1,0,0,0,1,0,100+ctr,200+ctr,800+ctr,1600+ctr,vcpu=[(0,cpu)])
d0 = lambda cpu: Dom("Domain-0","-----r",cpu,0.0,2097152,1.6,"no limit","n/a",2,0,0,0,0,0,0,0,0,0,vcpu=[(0,cpu//2),(1,cpu-cpu//2)])
c = Clock(iso_z, T0)
L = frame([d0(500), k("k1",10), k("k2",20)], repeat=True, stamp=c); c.t += 3
L += frame([d0(501), k("k1",11,5), k("k2",21,5), k("k3-new",0)], repeat=True, stamp=c); c.t += 3
L += frame([k("a-new",0), d0(503), k("k1",12,9)], repeat=True, stamp=c)
write("repeat_r_iso_z", L, {"host":"rep"})

# ---- -r with -z (Domain-0 first), --start/--interval
L = frame([d0(500), k("m1",10), k("z9",20)], repeat=True) + frame([d0(502), k("m1",11), k("z9",22)], repeat=True)
write("repeat_r_dom0first", L, {"host":"rz","start":"2026-11-21T00:00:00Z","interval_ms":2000})

# ---- net_n: -n -v, ISO with +01:00 and microseconds
n0 = [
 Dom("Domain-0","-----r",4120,0.0,4194304,3.1,"no limit","n/a",1,0,0,0,0,0,0,0,0,0,vcpu=[(0,4120)]),
 Dom("router","--b---",310,0.0,1048564,0.8,1049588,0.8,1,2,1903,2931,0,0,0,0,0,0,vcpu=[(0,310)],
     net=[(0,1771234,20331,0,12,1200331,18003,0,0),(1,1230011,9012,2,0,748991,7712,0,1)]),
]
c = Clock(iso_off, T0)
L = frame(n0, stamp=c); c.t += 1
n0[1].net = [(0,1771900,20340,0,12,1200400,18004,0,0),(1,1230011,9012,2,0,748991,7712,0,1)]
n0[1].tx = 1903; n0[1].rx = 2932; n0[1].cpu = 310
L += frame(n0, stamp=c)
write("net_n_iso_offset", L, {"host":"netbox"})

# ---- nulls with ts default stamps (year from options, local zone)
u0 = [
 Dom("Domain-0","-----r",1200,0.0,2097152,1.6,"no limit","n/a",4,0,0,0,0,"-","-","-","-","-",
     vcpu=[(0,300),(1,300),(2,300),(3,300)]),
 Dom("broken-vbd","--b---",40,0.0,1048564,0.8,1049588,0.8,1,0,0,0,1,"-","-","-","-","-",vcpu=[(0,40)],
     vbd=[vbd("BlkBack",51712,"-","-","-","-","-")]),
 Dom("sparse","--b---",41,0.0,1048564,0.8,1049588,0.8,2,0,0,0,1,0,77,31,616,248,vcpu=[(0,20),(3,21)],
     vbd=[vbd("Unidentified",51760,0,77,31,616,248)]),
]
def tsdef(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%b %d %H:%M:%S")
c = Clock(tsdef, T0)
L = frame(u0, stamp=c)
write("nulls_ts_default", L, {"host":"nul","year":2026,"tz":"Europe/Berlin"})
write("ts_default_noyear", L, {"host":"nul"})

# ---- ts default rolling over the year
c = Clock(tsdef, datetime.datetime(2026,12,31,23,59,58,tzinfo=datetime.timezone.utc).timestamp())
L = frame([d0(10)], stamp=c); c.t += 3
L += frame([d0(11)], stamp=c)
write("ts_default_new_year", L, {"host":"ny","year":2026})

# ---- ISO with a space (ts '%F %T'), local time in options' zone
def isosp(t): return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
c = Clock(isosp, T0)
L = frame([d0(10), k("k1",5)], stamp=c); c.t += 2
L += frame([d0(12), k("k1",6)], stamp=c)
write("iso_space_localtz", L, {"host":"ny","tz":"America/New_York"})

# ---- missing time
write("missing_time", frame([d0(10), k("k1",5)]), {"host":"nt"})

# ---- CRLF
c = Clock(epochfrac, T0)
write("crlf", frame([d0(10), k("k1",5)], stamp=c), {"host":"crlf"}, eol="\r\n")

# ---- truncated last line
L = frame([d0(10), k("k1",5)]) + frame([d0(11), k("k1",6)])
L[-2] = L[-2][:40]   # k1's row of frame 1 cut mid-way, no newline
write("truncated_last_line", L[:-1], {"host":"tr","start":"2026-11-21T00:00:00Z","interval_ms":3000}, final=False)

# ---- a VBD line cut inside its last value (issue 9, item 3: WSECT 8415073
# was stored as 84): lenient, the frame's other rows stay, the cut line is a reject
L = frame([d0(10), Dom("k1","--b---",5,0.0,1048564,0.8,1049588,0.8,1,0,0,0,1,0,221003,1700440,8870031,8415073,
                       vcpu=[(0,5)], vbd=[vbd("BlkBack",51712,0,221003,1700440,8870031,8415073)])])
assert L[-1].endswith("8415073")
L[-1] = L[-1][:-5]
write("cut_inside_value_lenient", L, {"host":"cut","start":"2026-11-21T00:00:00Z","interval_ms":3000,"lenient":True}, final=False)

# ---- binary garbage after a frame
L = frame([d0(10), k("k1",5)])
raw = ("\n".join(L)+"\n").encode() + bytes([0x1f,0x8b,0x08,0x00,0x00,0x00,0x00,0x00,0x00,0x03,0xed,0xc1,0x01,0x0d,0x00,0x00,0x00,0xc2,0xa0,0xf7,0x4f,0x6d,0x0e,0x37,0xa0,0x00,0x00,0x00,0x0a]) + b"\x00\x00\xff\xfe\n"
write("binary_garbage", None, {"host":"bin","start":"2026-11-21T00:00:00Z","interval_ms":3000,"lenient":True}, raw=raw)

# ---- empty file
write("empty", None, None, raw=b"")

# ---- mixed formats: a sar -u block between two xentop frames (lenient)
sar = ["Linux 6.1.0-27-amd64 (xs17) \t11/21/26 \t_x86_64_\t(16 CPU)", "",
       "23:52:03        CPU     %user     %nice   %system   %iowait    %steal     %idle",
       "23:52:04        all      2.01      0.00      1.13      0.00      0.00     96.86",
       "Average:        all      2.01      0.00      1.13      0.00      0.00     96.86", ""]
L = frame([d0(10), k("k1",5)]) + sar + frame([d0(11), k("k1",6)])
write("mixed_sar_lenient", L, {"host":"mix","start":"2026-11-21T00:00:00Z","interval_ms":3000,"lenient":True})
write("mixed_sar_strict", L, {"host":"mix","start":"2026-11-21T00:00:00Z","interval_ms":3000})

# ---- u64 counters near 2^64
M = 2**64-1
big = [Dom("Domain-0","-----r",M,0.0,M,1.6,M-1,"n/a",4294967295,4294967295,M,M-2,1,M,M,M-1,M,M,ssid=4294967295,
           vcpu=[(0,M),(1,M-1)], net=[(0,M,M,M,M,M-1,M-1,M-1,M-1)], vbd=[vbd("BlkBack",51712,M,M,M,M,M)])]
write("u64_max", frame(big), {"host":"big","start":"2026-11-21T00:00:00Z","interval_ms":3000})

# ---- bad values, lenient: each bad line rejected with its reason
L = frame([d0(10), k("k1",5)])
L.insert(1, "VCPUs(sec):   0:         5s")          # before any domain row
krow = [x for x in L if x.strip().startswith("k1 ")][0]
L.append(krow.replace("   1600", "18446744073709551616"))   # overflow in VBD_WSECT (k1 row copy)
L.append(krow)
L.append("VBD BlkBack  768 [ 3: 0]  OO:        0   RD:        1   XX:        2")  # unknown field
L.append("        k2 --x---" + krow.split("--b---",1)[1])    # bad STATE flags
L.append("VCPUs(sec):   0:          5s")                      # sub-line of the rejected row
L.append(krow.replace("  0.0", "  nan", 1))             # NaN CPU(%)
L.append(krow)
L.append("VBD BlkBack  768 [ 3: 0]  OO:        0   RD:        1   WR:        x")
L.append("VCPUs(sec):   0:          5s  1:")
L.append("Net0 RX:      1bytes        1pkts        0err        0drop  TX:        1bytes        1pkts        0err")
write("bad_values_lenient", L, {"host":"bad","start":"2026-11-21T00:00:00Z","interval_ms":3000,"lenient":True})

# ---- Xen 4.1 Tmem lines, 2025 -p Physical CPU Usage box
t0 = [Dom("Domain-0","-----r",3001,0.0,2097152,1.6,"no limit","n/a",2,0,0,0,0,0,0,0,0,0,
          extra=["Tmem:  Curr eph pages:        0   Succ eph gets:        0   Succ pers puts:        0   Succ pers gets:        0"]),
      Dom("tm-guest","--b---",77,0.0,524288,0.4,525312,0.4,1,0,0,0,0,0,0,0,0,0,
          extra=["Tmem:  Curr eph pages:     1203   Succ eph gets:      331   Succ pers puts:     9120   Succ pers gets:     8871"])]
box = ["", "Physical CPU Usage:", "+-------+--------+", "| Core  | Usage  |", "+-------+--------+",
       "| %-5d | %5.1f%% |" % (0, 12.5), "| %-5d | %5.1f%% |" % (1, 100.0), "+-------+--------+"]
L = frame(t0) + box + frame(t0) + ["", "No PCPU data available"]
write("tmem_pcpu_box", L, {"host":"tm","start":"2026-11-21T00:00:00Z","interval_ms":1000})

# ---- unknown header column
L = frame([d0(10)])
L[0] = L[0].replace(" SSID", " DOMID SSID"); assert "DOMID" in L[0]
write("unknown_column", L, {"host":"unk","start":"2026-11-21T00:00:00Z","interval_ms":1000})
