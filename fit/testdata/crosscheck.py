"""Reference values for fit's cross-check tests (fit/python_test.go).

Reads {"cases": [{"name", "model", "x", "y", "w" (or null), "x0"}]} on stdin
and writes one JSON object per case on stdout, computed independently of the
Go code with numpy and scipy:

* "polyfit": numpy.polyfit on the fit-space data (u = x or ln x,
  t = y or ln y), w = sqrt(weight) (polyfit's w multiplies the unsquared
  residual), lowest power first.
* statsmodels' OLS/WLS conventions (statsmodels is not installed, so the
  formulas are written out with numpy linear algebra): cov = s^2 (X'WX)^-1,
  s^2 = SSR/(n-p), rsquared against the weighted-centred TSS,
  rsquared_adj = 1 - (n-1)/(n-p) (1-R^2), conf_int = beta +- t(0.975, n-p) se
  with scipy.stats.t.ppf, get_prediction's mean and observation intervals,
  PRESS from the hat matrix diag(W^1/2 X (X'WX)^-1 X' W^1/2).
* "curve_fit": scipy.optimize.curve_fit(a*x**b) started from the log-space
  fit, sigma = 1/sqrt(weight), absolute_sigma=False; and the covariance
  s^2 (J'WJ)^-1 with the analytic Jacobian at curve_fit's optimum.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.optimize import curve_fit


def design(model, x):
    if model == "linear":
        return np.vander(x, 2, increasing=True)
    if model.startswith("poly"):
        return np.vander(x, int(model[4:]) + 1, increasing=True)
    if model in ("log", "power"):
        return np.column_stack([np.ones_like(x), np.log(x)])
    if model == "exp":
        return np.column_stack([np.ones_like(x), x])
    raise ValueError(model)


def logspace(model):
    return model in ("power", "exp")


def ymetrics(y, yhat, p):
    n = len(y)
    sse = float(np.sum((y - yhat) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - sse / sst
    return {
        "r2y": r2,
        "adjr2y": 1 - (n - 1) / (n - p) * (1 - r2),
        "corr2": float(np.corrcoef(y, yhat)[0, 1] ** 2),
        "rmse": float(np.sqrt(sse / n)),
        "rmsedf": float(np.sqrt(sse / (n - p))),
        "mae": float(np.mean(np.abs(y - yhat))),
        "mape": float(100 * np.mean(np.abs((y - yhat) / y))),
    }


def linear_case(c):
    model = c["model"]
    x = np.array(c["x"], dtype=float)
    y = np.array(c["y"], dtype=float)
    w = np.ones_like(x) if c["w"] is None else np.array(c["w"], dtype=float)
    X = design(model, x)
    n, p = X.shape
    t = np.log(y) if logspace(model) else y
    u = X[:, 1]
    deg = p - 1
    out = {"polyfit": [float(v) for v in np.polyfit(u, t, deg, w=np.sqrt(w))[::-1]]}
    # statsmodels WLS by hand.
    XtWX = X.T @ (w[:, None] * X)
    inv = np.linalg.inv(XtWX)
    beta = inv @ (X.T @ (w * t))
    e = t - X @ beta
    ssr = float(np.sum(w * e ** 2))
    tbar = np.sum(w * t) / np.sum(w)
    tss = float(np.sum(w * (t - tbar) ** 2))
    s2 = ssr / (n - p)
    cov = s2 * inv
    se = np.sqrt(np.diag(cov))
    tq = float(stats.t.ppf(0.975, n - p))
    h = np.einsum("ij,jk,ik->i", X, inv, X) * w
    press = float(np.sum(w * (e / (1 - h)) ** 2))
    r2 = 1 - ssr / tss
    out.update({
        "beta": beta.tolist(), "se": se.tolist(), "cov": cov.ravel().tolist(),
        "ci_lo": (beta - tq * se).tolist(), "ci_hi": (beta + tq * se).tolist(),
        "tq": tq, "sse": ssr, "sst": tss, "r2fit": r2,
        "adjr2fit": 1 - (n - 1) / (n - p) * (1 - r2), "sigma": float(np.sqrt(s2)),
        "press_fit": press, "q2_fit": 1 - press / tss,
    })
    fitted = X @ beta
    yhat = np.exp(fitted) if logspace(model) else fitted
    out.update(ymetrics(y, yhat, p))
    # Closed-form leave-one-out predictions on y.
    tloo = t - e / (1 - h)
    yloo = np.exp(tloo) if logspace(model) else tloo
    out["press_y"] = float(np.sum((y - yloo) ** 2))
    # get_prediction at x0: mean_ci and obs_ci (weight 1 for the new point).
    x0 = np.array(c["x0"], dtype=float)
    X0 = design(model, x0)
    m = X0 @ beta
    sem = np.sqrt(np.einsum("ij,jk,ik->i", X0, cov, X0))
    sep = np.sqrt(s2 + sem ** 2)
    pred = {"y": m, "conf_lo": m - tq * sem, "conf_hi": m + tq * sem,
            "pred_lo": m - tq * sep, "pred_hi": m + tq * sep}
    if logspace(model):
        pred = {k: np.exp(v) for k, v in pred.items()}
    out["pred"] = {k: v.tolist() for k, v in pred.items()}
    out["pred"]["se"] = sem.tolist()
    return out


def nls_case(c):
    x = np.array(c["x"], dtype=float)
    y = np.array(c["y"], dtype=float)
    weighted = c["w"] is not None
    w = np.ones_like(x) if not weighted else np.array(c["w"], dtype=float)
    b0, la0 = np.polyfit(np.log(x), np.log(y), 1, w=np.sqrt(w))
    f = lambda x, a, b: a * x ** b
    sigma = 1 / np.sqrt(w) if weighted else None
    popt, pcov = curve_fit(f, x, y, p0=[np.exp(la0), b0], sigma=sigma)
    a, b = popt
    n, p = len(x), 2
    r = y - f(x, a, b)
    sse = float(np.sum(w * r ** 2))
    J = np.column_stack([x ** b, a * x ** b * np.log(x)])
    cov = sse / (n - p) * np.linalg.inv(J.T @ (w[:, None] * J))
    tq = float(stats.t.ppf(0.975, n - p))
    se = np.sqrt(np.diag(cov))
    ybar = np.sum(w * y) / np.sum(w)
    sst = float(np.sum(w * (y - ybar) ** 2))
    out = {"curve_fit": popt.tolist(), "curve_fit_se": np.sqrt(np.diag(pcov)).tolist(),
           "cov": cov.ravel().tolist(), "se": se.tolist(), "tq": tq,
           "ci_lo": (popt - tq * se).tolist(), "ci_hi": (popt + tq * se).tolist(),
           "sse": sse, "sst": sst, "r2fit": 1 - sse / sst}
    out.update(ymetrics(y, f(x, a, b), p))
    return out


def main():
    cases = json.load(sys.stdin)["cases"]
    res = {"numpy": np.__version__, "scipy": scipy.__version__, "cases": {}}
    for c in cases:
        res["cases"][c["name"]] = nls_case(c) if c["model"] == "power-nls" else linear_case(c)
    json.dump(res, sys.stdout)


main()
