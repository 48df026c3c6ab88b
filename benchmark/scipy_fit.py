"""Times scipy's L-BFGS-B on the problems benchmark/scipy-compare.mjs exported (same data, same
starts, the reference's objective: MSE with the reference's own analytic Jacobian, maxiter 2000,
ftol 1e-15, gtol 1e-10). Needs numpy, scipy and a checkout of github.com/PlanarG/active-sl (for its
law functions), given as REFERENCE_REPO. Reads the problems JSON on stdin, prints JSON. Each fit is
timed BENCH_RUNS times (default 3): the best run and the median, as for ours."""
import importlib, json, os, sys, time
import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.environ['REFERENCE_REPO'])
problems = json.load(sys.stdin)
runs = max(1, int(os.environ.get('BENCH_RUNS', '3')))
out = []
for p in problems:
    laws = importlib.import_module(f"benchmark.dataset.{p['task']}.laws")
    fn = laws.LAW_REGISTRY[p['law']]
    X = np.array(p['X'], dtype=float)
    y = np.array(p['y'], dtype=float)
    if p['outputs'] > 1:
        y = y.reshape(-1, p['outputs'])
    n = len(X)
    bounds = [tuple(b) for b in p['bounds']]

    def obj(theta):
        pred, J = fn(theta.reshape(1, -1), X, backend='numpy')
        r = (pred - y).ravel()
        Jf = J.reshape(-1, J.shape[-1])
        return float(r @ r) / n, (2.0 / n) * Jf.T @ r

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        losses = []
        for s in p['starts']:
            res = minimize(obj, np.array(s), method='L-BFGS-B', bounds=bounds, jac=True,
                           options={'maxiter': 2000, 'ftol': 1e-15, 'gtol': 1e-10})
            losses.append(float(res.fun))
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    out.append({'task': p['task'], 'law': p['law'], 'milliseconds': round(times[0], 1),
                'medianMilliseconds': round(times[(runs - 1) // 2], 1), 'bestLoss': min(losses)})
json.dump(out, sys.stdout)
