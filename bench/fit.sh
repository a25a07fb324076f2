#!/usr/bin/env bash
# Power fit on 1 M points: migreplay's fit package against numpy and scipy,
# both sides in this one run on the same points.
#
#   ours "log"  fit.FitPower     (least squares on ln y, all metrics + LOO)
#   ours "nls"  fit.FitPowerNLS  (nonlinear least squares on y, all metrics)
#   numpy       np.polyfit(np.log(x), np.log(y), 1)          (coefficients only)
#   scipy       curve_fit(a*x**b, x, y, p0=log-space fit)    (coefficients + pcov)
#
# Each side is timed as the mean of REPS runs after a warm-up, on every core
# (Go: GOMAXPROCS goroutines; numpy/scipy: OpenBLAS threads, where used).
# Checks: FitPower's a, b equal polyfit's within 1e-9 relative; FitPowerNLS's
# within 1e-6 of curve_fit's. Target: each ratio ≥ 3. Exits 1 if a
# coefficient check fails; a ratio below target is printed, not fatal (the
# machine may be shared). Usage: bench/fit.sh [N] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
REPS=${2:-5}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The points: Dom0 caps 10…100 %, y = 700·x^-0.85 with 5 % log-normal noise.
$PY - "$N" "$tmp/points.bin" <<'PY'
import sys
import numpy as np
n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(1)
x = rng.uniform(10, 100, n)
y = 700 * x ** -0.85 * np.exp(rng.normal(0, 0.05, n))
np.concatenate([x, y]).astype("<f8").tofile(out)
PY

echo "== go: fit.FitPower, fit.FitPowerNLS on $N points ($REPS runs each)"
MIGREPLAY_FIT_BENCH_IN=$tmp/points.bin MIGREPLAY_FIT_BENCH_OUT=$tmp/go.json \
  go test ./fit -run '^$' -bench '^BenchmarkFitPowerFile$' -benchtime "${REPS}x" -count 1 | tee "$tmp/go.txt" | grep -E '^Benchmark'

# numpy and scipy, with OpenBLAS' core-type overrides unset for this command
# only (they slow a current numpy; see .library/env/README.md).
echo "== python: numpy polyfit, scipy curve_fit"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PY - "$tmp" "$N" "$REPS" <<'PY'
import json, re, sys, time
import numpy as np, scipy
from scipy.optimize import curve_fit
tmp, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    from threadpoolctl import threadpool_info
    for p in threadpool_info():
        print(f"   {p.get('internal_api')} {p.get('version')} kernel={p.get('architecture')} threads={p.get('num_threads')}")
except ImportError:
    print("   (threadpoolctl not installed: BLAS kernel not shown)")
print(f"   numpy {np.__version__}, scipy {scipy.__version__}")
xy = np.fromfile(f"{tmp}/points.bin", dtype="<f8")
x, y = xy[:n], xy[n:]

def timed(f):
    f()  # warm-up
    t0 = time.perf_counter()
    for _ in range(reps):
        r = f()
    return (time.perf_counter() - t0) / reps, r

t_np, (b, la) = timed(lambda: np.polyfit(np.log(x), np.log(y), 1))
a_np = float(np.exp(la))
power = lambda x, a, b: a * x ** b
t_sp, (popt, _) = timed(lambda: curve_fit(power, x, y, p0=[a_np, b]))

ns = {}
for line in open(f"{tmp}/go.txt"):
    m = re.match(r"BenchmarkFitPowerFile/(\w+)\S*\s+\d+\s+(\d+(?:\.\d+)?) ns/op", line)
    if m:
        ns[m.group(1)] = float(m.group(2)) / 1e9
go = json.load(open(f"{tmp}/go.json"))
ok = True
def rel(u, v): return abs(u - v) / abs(v)
print(f"{'':26}{'time':>10}{'a':>22}{'b':>22}")
print(f"{'numpy polyfit (logs)':26}{t_np*1e3:8.1f}ms{a_np:22.15g}{b:22.15g}")
print(f"{'fit.FitPower':26}{ns['log']*1e3:8.1f}ms{go['log'][0]:22.15g}{go['log'][1]:22.15g}")
print(f"{'scipy curve_fit (y)':26}{t_sp*1e3:8.1f}ms{popt[0]:22.15g}{popt[1]:22.15g}")
print(f"{'fit.FitPowerNLS':26}{ns['nls']*1e3:8.1f}ms{go['nls'][0]:22.15g}{go['nls'][1]:22.15g}")
for name, ours, ref, tol in [("FitPower vs polyfit", go["log"], (a_np, b), 1e-9),
                             ("FitPowerNLS vs curve_fit", go["nls"], tuple(popt), 1e-6)]:
    e = max(rel(ours[0], ref[0]), rel(ours[1], ref[1]))
    good = e <= tol
    ok &= good
    print(f"coefficients {name}: max relative difference {e:.2g} (tolerance {tol:g}) {'ok' if good else 'MISMATCH'}")
for name, theirs, mine in [("numpy polyfit / FitPower", t_np, ns["log"]), ("scipy curve_fit / FitPowerNLS", t_sp, ns["nls"])]:
    r = theirs / mine
    print(f"ratio {name}: {r:.1f}x {'(target >= 3x: met)' if r >= 3 else '(target >= 3x: NOT met)'}")
sys.exit(0 if ok else 1)
PY
