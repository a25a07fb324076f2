#!/usr/bin/env bash
# Power fit on 1 M points against numpy and scipy, both sides in this one run
# on the same points, in two parts.
#
# Part 1, whole processes (issue 12's targets): a seeded 1,000,000-row CSV
# (x, y as pandas writes them); `migreplay fit --in F --x x --y y --model
# power --json` against `pandas.read_csv` + `numpy.polyfit` on the logs, and
# `--model power-nls` against `pandas.read_csv` + `scipy.optimize.curve_fit`
# (started from the log-space fit), each a fresh process timed by GNU time
# (wall, CPU, max RSS), alternating for ROUNDS rounds, best of each.
# Targets: both ratios >= 3; our RSS above the same command's on 10 rows
# <= 3 x the two float64 columns (48 MB). Coefficients: power's a and b
# equal polyfit's within 1e-9 relative, power-nls's curve_fit's within 1e-6.
#
# Part 2, the library alone (no process start, no CSV), in-process timing:
#
#   ours "log"  fit.FitPower     (least squares on ln y, every metric + LOO)
#   ours "nls"  fit.FitPowerNLS  (nonlinear least squares on y, every metric)
#   numpy       np.polyfit(np.log(x), np.log(y), 1)          (coefficients)
#   scipy       curve_fit(a*x**b, x, y, p0=log-space fit)    (coefficients, pcov)
#
# The sides alternate for ROUNDS rounds; in each, a side's time is the mean
# of REPS calls after a warm-up, and the best round counts (robust to other
# load on a shared machine). Each side uses every core it can: Go runs
# GOMAXPROCS goroutines, numpy/scipy their OpenBLAS threads.
# Checks: FitPower's a and b equal polyfit's within 1e-9 relative,
# FitPowerNLS's equal curve_fit's within 1e-6. Target: both ratios ≥ 3.
# Exit 1 if a coefficient check fails; a ratio below target is printed, not
# fatal. Where perf works, it also prints single-thread CPU cycles per call
# for each side, which other load on the machine hardly changes.
# Usage: bench/fit.sh [N] [REPS] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$root"
N=${1:-1000000}
REPS=${2:-5}
ROUNDS=${3:-$rounds}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# numpy and scipy run with OpenBLAS' core-type overrides unset for their
# commands only (they slow a current numpy; see .library/env/README.md).
pyenv=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
$PY -c 'import numpy, scipy, pandas' 2>/dev/null || { echo "needs $PY with numpy, scipy and pandas: apt-get install python3-numpy python3-scipy python3-pandas"; exit 1; }

echo "== part 1: whole processes on a $N-row CSV"
csv=$scratch/fit-$N.csv
[ -s "$csv" ] || "${pyenv[@]}" $PY - "$csv" "$N" <<'PY'
import sys, numpy as np, pandas as pd
# Dom0 caps 10…100 %, y = 700·x^-0.85 with 5 % log-normal noise, seed 1.
rng = np.random.default_rng(1); n = int(sys.argv[2])
x = rng.uniform(10, 100, n); y = 700 * x ** -0.85 * np.exp(rng.normal(0, 0.05, n))
pd.DataFrame({"x": x, "y": y}).to_csv(sys.argv[1], index=False)
PY
head -11 "$csv" > "$tmp/ten.csv"
cat > "$tmp/np.py" <<'PY'
import sys, pandas as pd, numpy as np
d = pd.read_csv(sys.argv[1])
b, la = np.polyfit(np.log(d["x"].to_numpy()), np.log(d["y"].to_numpy()), 1)
print(repr(float(np.exp(la))), repr(float(b)))
PY
cat > "$tmp/cf.py" <<'PY'
import sys, pandas as pd, numpy as np
from scipy.optimize import curve_fit
d = pd.read_csv(sys.argv[1])
x, y = d["x"].to_numpy(), d["y"].to_numpy()
b, la = np.polyfit(np.log(x), np.log(y), 1)
popt, _ = curve_fit(lambda x, a, b: a * x ** b, x, y, p0=[np.exp(la), b])
print(repr(float(popt[0])), repr(float(popt[1])))
PY
for ((r = 0; r < ROUNDS; r++)); do
  keepbest np "${pyenv[@]}" $PY "$tmp/np.py" "$csv"
  keepbest ours "$bin" fit --in "$csv" --x x --y y --model power --json
  keepbest cf "${pyenv[@]}" $PY "$tmp/cf.py" "$csv"
  keepbest oursnls "$bin" fit --in "$csv" --x x --y y --model power-nls --json
done
timeit ten "$bin" fit --in "$tmp/ten.csv" --x x --y y --model power --json
coef() { "$bin" fit --in "$csv" --x x --y y --model "$1" --json | $PY -c 'import json,sys; f=json.load(sys.stdin)["fits"][0]; print(repr(f["a"]), repr(f["b"]))'; }
read -r np_a np_b < <("${pyenv[@]}" $PY "$tmp/np.py" "$csv")
read -r cf_a cf_b < <("${pyenv[@]}" $PY "$tmp/cf.py" "$csv")
read -r our_a our_b < <(coef power)
read -r nls_a nls_b < <(coef power-nls)
cols_mb=$(awk -v n="$N" 'BEGIN { printf "%.1f", 16 * n / 1048576 }')
echo "best of $ROUNDS alternating rounds (wall s, CPU s, max RSS MB):"
printf '  %-44s %6s s %6s s %7s MB\n' "pandas.read_csv + numpy.polyfit" "$np_s" "$np_cpu" "$np_rss_mb" \
  "migreplay fit --model power --json" "$ours_s" "$ours_cpu" "$ours_rss_mb" \
  "pandas.read_csv + scipy curve_fit" "$cf_s" "$cf_cpu" "$cf_rss_mb" \
  "migreplay fit --model power-nls --json" "$oursnls_s" "$oursnls_cpu" "$oursnls_rss_mb" \
  "migreplay fit --model power, 10 rows" "$ten_s" "$ten_cpu" "$ten_rss_mb"
echo "ratio power: $(ratio "$np_s" "$ours_s")x numpy (target >= 3); power-nls: $(ratio "$cf_s" "$oursnls_s")x curve_fit (target >= 3)"
echo "RSS above the 10-row run: power $(awk -v a="$ours_rss_mb" -v b="$ten_rss_mb" 'BEGIN{printf "%.1f", a-b}') MB, power-nls $(awk -v a="$oursnls_rss_mb" -v b="$ten_rss_mb" 'BEGIN{printf "%.1f", a-b}') MB; the two float64 columns are $cols_mb MB (target <= 3x: $(awk -v c="$cols_mb" 'BEGIN{printf "%.1f", 3*c}') MB)"
part1=0
$PY - "$our_a" "$our_b" "$np_a" "$np_b" "$nls_a" "$nls_b" "$cf_a" "$cf_b" <<'PY' || part1=1
import sys
v = [float(s) for s in sys.argv[1:]]
ok = True
for name, ours, ref, tol in [("power vs polyfit", v[0:2], v[2:4], 1e-9), ("power-nls vs curve_fit", v[4:6], v[6:8], 1e-6)]:
    e = max(abs(o - r) / abs(r) for o, r in zip(ours, ref))
    ok &= e <= tol
    print(f"coefficients {name}: a {ours[0]!r} b {ours[1]!r}, max relative difference {e:.2g} (tolerance {tol:g}) {'ok' if e <= tol else 'MISMATCH'}")
sys.exit(0 if ok else 1)
PY

echo
echo "== part 2: the library alone, in-process"

go test -c -o "$tmp/fit.test" ./fit

part2=0
"${pyenv[@]}" $PY - "$tmp" "$N" "$REPS" "$ROUNDS" <<'PY' || part2=1
import json, os, re, subprocess, sys, time
import numpy as np, scipy
from scipy.optimize import curve_fit
tmp, n, reps, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
try:
    from threadpoolctl import threadpool_info
    blas = ", ".join(f"{p.get('internal_api')} {p.get('version')} kernel={p.get('architecture')} threads={p.get('num_threads')}"
                     for p in threadpool_info())
except ImportError:
    blas = "threadpoolctl not installed: BLAS kernel unknown"
print(f"numpy {np.__version__}, scipy {scipy.__version__} ({blas}); {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

# The points: Dom0 caps 10…100 %, y = 700·x^-0.85 with 5 % log-normal noise.
rng = np.random.default_rng(1)
x = rng.uniform(10, 100, n)
y = 700 * x ** -0.85 * np.exp(rng.normal(0, 0.05, n))
np.concatenate([x, y]).astype("<f8").tofile(f"{tmp}/points.bin")

def timed(f):
    f()  # warm-up
    t0 = time.perf_counter()
    for _ in range(reps):
        r = f()
    return (time.perf_counter() - t0) / reps, r

def go_round():
    env = dict(os.environ, MIGREPLAY_FIT_BENCH_IN=f"{tmp}/points.bin", MIGREPLAY_FIT_BENCH_OUT=f"{tmp}/go.json")
    out = subprocess.run([f"{tmp}/fit.test", "-test.run", "^$", "-test.bench", "^BenchmarkFitPowerFile$",
                          "-test.benchtime", f"{reps}x"], env=env, check=True, capture_output=True, text=True).stdout
    ns = {m.group(1): float(m.group(2)) / 1e9
          for m in re.finditer(r"BenchmarkFitPowerFile/(\w+)\S*\s+\d+\s+(\d+(?:\.\d+)?) ns/op", out)}
    return ns, json.load(open(f"{tmp}/go.json"))

power = lambda x, a, b: a * x ** b
best = {"log": 1e9, "nls": 1e9, "np": 1e9, "sp": 1e9}
for r in range(rounds):
    ns, go = go_round()
    t_np, (b, la) = timed(lambda: np.polyfit(np.log(x), np.log(y), 1))
    a_np = float(np.exp(la))
    t_sp, (popt, _) = timed(lambda: curve_fit(power, x, y, p0=[a_np, b]))
    for k, v in (("log", ns["log"]), ("nls", ns["nls"]), ("np", t_np), ("sp", t_sp)):
        best[k] = min(best[k], v)
    print(f"round {r+1}: FitPower {ns['log']*1e3:.1f} ms, polyfit {t_np*1e3:.1f} ms, "
          f"FitPowerNLS {ns['nls']*1e3:.1f} ms, curve_fit {t_sp*1e3:.1f} ms")

ok = True
rel = lambda u, v: abs(u - v) / abs(v)
print(f"\n{'best of ' + str(rounds) + ' rounds':26}{'time':>10}{'a':>22}{'b':>22}")
print(f"{'numpy polyfit (logs)':26}{best['np']*1e3:8.1f}ms{a_np:22.15g}{b:22.15g}")
print(f"{'fit.FitPower':26}{best['log']*1e3:8.1f}ms{go['log'][0]:22.15g}{go['log'][1]:22.15g}")
print(f"{'scipy curve_fit (y)':26}{best['sp']*1e3:8.1f}ms{popt[0]:22.15g}{popt[1]:22.15g}")
print(f"{'fit.FitPowerNLS':26}{best['nls']*1e3:8.1f}ms{go['nls'][0]:22.15g}{go['nls'][1]:22.15g}")
for name, ours, ref, tol in [("FitPower vs polyfit", go["log"], (a_np, b), 1e-9),
                             ("FitPowerNLS vs curve_fit", go["nls"], tuple(popt), 1e-6)]:
    e = max(rel(ours[0], ref[0]), rel(ours[1], ref[1]))
    ok &= e <= tol
    print(f"coefficients {name}: max relative difference {e:.2g} (tolerance {tol:g}) {'ok' if e <= tol else 'MISMATCH'}")
for name, theirs, mine in [("numpy polyfit / fit.FitPower", best["np"], best["log"]),
                           ("scipy curve_fit / fit.FitPowerNLS", best["sp"], best["nls"])]:
    r = theirs / mine
    print(f"ratio {name}: {r:.1f}x ({'meets' if r >= 3 else 'BELOW'} the 3x target)")

# Load-independent check, when perf works here: CPU cycles per call with
# one thread on each side (GOMAXPROCS=1; OPENBLAS_NUM_THREADS=1), as
# cycles(1 + K calls) − cycles(1 call), best of 3.
def perf_cycles(cmd, env):
    out = subprocess.run(["perf", "stat", "-x,", "-e", "cycles"] + cmd, env=env, capture_output=True, text=True)
    for line in out.stderr.splitlines():
        f = line.split(",")
        if len(f) > 2 and f[2].startswith("cycles") and f[0].isdigit():
            return int(f[0])
    raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "perf gave no count")

K = 10
pyprog = """
import sys, numpy as np
from scipy.optimize import curve_fit
n, k, which = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
xy = np.fromfile(sys.argv[1], dtype="<f8"); x, y = xy[:n], xy[n:]
b, la = np.polyfit(np.log(x), np.log(y), 1)
for _ in range(k):
    if which == "np": np.polyfit(np.log(x), np.log(y), 1)
    else: curve_fit(lambda x, a, b: a * x ** b, x, y, p0=[np.exp(la), b])
"""
def per_call(make):
    best = None
    for _ in range(3):
        c = perf_cycles(make(1 + K), env1) - perf_cycles(make(1), env1)
        best = c / K if best is None else min(best, c / K)
    return best
env1 = dict(os.environ, OPENBLAS_NUM_THREADS="1", GOMAXPROCS="1",
            MIGREPLAY_FIT_BENCH_IN=f"{tmp}/points.bin", MIGREPLAY_FIT_BENCH_OUT=f"{tmp}/go1.json")
try:
    cyc = {}
    for name in ("log", "nls"):
        cyc[name] = per_call(lambda k: [f"{tmp}/fit.test", "-test.run", "^$", "-test.cpu", "1",
                                        "-test.bench", f"^BenchmarkFitPowerFile/{name}$", "-test.benchtime", f"{k}x"])
    for name in ("np", "sp"):
        cyc[name] = per_call(lambda k: [sys.executable, "-c", pyprog, f"{tmp}/points.bin", str(n), str(k - 1), name])
    print(f"\none thread each, CPU cycles per call (perf stat): FitPower {cyc['log']/1e6:.0f} M, polyfit {cyc['np']/1e6:.0f} M, "
          f"FitPowerNLS {cyc['nls']/1e6:.0f} M, curve_fit {cyc['sp']/1e6:.0f} M")
    print(f"single-thread ratios: polyfit / FitPower {cyc['np']/cyc['log']:.1f}x, curve_fit / FitPowerNLS {cyc['sp']/cyc['nls']:.1f}x")
except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
    print(f"\n(single-thread cycle counts skipped: perf stat unavailable: {e})")
sys.exit(0 if ok else 1)
PY
exit $((part1 | part2))
