"""Prints the scipy figures that src/fit/trf.test.ts pins: scipy's least_squares(method='trf',
x_scale='jac', loss='linear', tr_solver='exact', analytic Jacobian, default ftol/xtol/gtol and
max_nfev unless a case says otherwise) on the same problems, defined here exactly as in the test.
Run by hand (python3 benchmark/scipy_trf.py); neither the tests nor CI need scipy. Prints one JSON
object per case: x, cost, status, nfev, njev, and for the non-finite case how many trial points
had non-finite residuals."""
import json
import math
import numpy as np
import scipy
from scipy.optimize import least_squares

INF = math.inf

# y = a·exp(−b·t) + c on 25 points of [0, 5], with a small deterministic perturbation.
T = np.array([5 * i / 24 for i in range(25)])
Y = 2.5 * np.exp(-1.3 * T) + 0.7 + 0.01 * np.sin(7 * np.arange(25))


def exp_decay(x):
    return x[0] * np.exp(-x[1] * T) + x[2] - Y


def exp_decay_jac(x):
    e = np.exp(-x[1] * T)
    return np.column_stack([e, -x[0] * T * e, np.ones_like(T)])


def rosenbrock(x):
    return np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])


def rosenbrock_jac(x):
    return np.array([[-20 * x[0], 10.0], [-1.0, 0.0]])


# Two observations, three parameters: L(N) = E + A·N^(−α) through (1, 3) and (4, 1.5).
N2 = np.array([1.0, 4.0])
Y2 = np.array([3.0, 1.5])


def law2(x):
    return x[0] + x[1] * N2 ** -x[2] - Y2


def law2_jac(x):
    p = N2 ** -x[2]
    return np.column_stack([np.ones(2), p, -x[1] * np.log(N2) * p])


# (x0 + x1)·t + x2 against dyadic data: a constant Jacobian of rank 2, exact residuals.
TL = np.arange(9) / 8
YL = 3 * TL + 1 + (-1.0) ** np.arange(9) / 16


def linear(x):
    return (x[0] + x[1]) * TL + x[2] - YL


def linear_jac(x):
    return np.column_stack([TL, TL, np.ones(9)])


# L(N, D) = E + A·N^(−α) + B·D^(−β) on a 60 × 50 grid: m = 3000.
IDX = np.arange(3000)
NB = 1.0 + IDX % 60
DB = 1.0 + IDX // 60
YB = 1.7 + 5 * NB ** -0.4 + 3 * DB ** -0.3 + 0.01 * np.sin(IDX)


def big(x):
    return x[0] + x[1] * NB ** -x[2] + x[3] * DB ** -x[4] - YB


def big_jac(x):
    pn = NB ** -x[2]
    pd = DB ** -x[4]
    return np.column_stack([np.ones_like(NB), pn, -x[1] * np.log(NB) * pn, pd, -x[3] * np.log(DB) * pd])


# Constant residuals with a Jacobian that claims otherwise.
def wrong(x):
    return np.array([1.0, 1.0])


def wrong_jac(x):
    return np.eye(2)


# Exponential decay whose model is undefined (NaN) for b > 1.5.
non_finite_trials = [0]


def exp_decay_guarded(x):
    if x[1] > 1.5:
        non_finite_trials[0] += 1
        return np.full(25, np.nan)
    return exp_decay(x)


# Broyden banded in 24 variables plus six pair sums (m = 30), six bounds active at the solution:
# the factorisation at a realistic size.
NBB, EXTRA_BB = 24, 6


def broyden(x):
    r = np.empty(NBB + EXTRA_BB)
    for i in range(NBB):
        s = sum(x[j] * (1 + x[j]) for j in range(max(0, i - 5), min(NBB, i + 2)) if j != i)
        r[i] = x[i] * (2 + 5 * x[i] ** 2) + 1 - s
    for k in range(EXTRA_BB):
        r[NBB + k] = 0.5 * (x[4 * k] + x[4 * k + 1])
    return r


def broyden_jac(x):
    J = np.zeros((NBB + EXTRA_BB, NBB))
    for i in range(NBB):
        for j in range(max(0, i - 5), min(NBB, i + 2)):
            if j != i:
                J[i, j] = -(1 + 2 * x[j])
        J[i, i] = 2 + 15 * x[i] ** 2
    for k in range(EXTRA_BB):
        J[NBB + k, 4 * k] = J[NBB + k, 4 * k + 1] = 0.5
    return J


LOWER_BB = [-0.45 if j % 3 == 0 else -1.0 for j in range(NBB)]
UPPER_BB = [0.1 if j % 4 == 1 else 1.0 for j in range(NBB)]
X0_BB = list(np.clip([-1.0 + 0.05 * j if j % 3 else -0.2 for j in range(NBB)], LOWER_BB, UPPER_BB))

CASES = [
    ('expDecayUpperActive', exp_decay, exp_decay_jac, [1, 1, 0.3], [0, 0, 0], [10, 5, 0.6], {}),
    ('rosenbrockBox', rosenbrock, rosenbrock_jac, [-1.2, 1], [-2, 0], [0.5, 2], {}),
    ('expDecayTwoActive', exp_decay, exp_decay_jac, [9, 0.1, 0.1], [0, 0, 0], [10, 1, 0.6], {}),
    ('expDecayCauchy', exp_decay, exp_decay_jac, [5, 0.1, 0], [0, 0, 0], [10, 2, 0.5], {}),
    ('rosenbrockHalfOpen', rosenbrock, rosenbrock_jac, [2, 2], [-INF, 1.5], [INF, INF], {}),
    ('underdetermined', law2, law2_jac, [1, 1, 0.5], [0, 0, 0.1], [5, 10, 2], {}),
    ('rankDeficient', linear, linear_jac, [0.25, 0.5, 0], [0, 0, -INF], [2, 2, INF], {}),
    ('startOnBounds', exp_decay, exp_decay_jac, [1, 5, 0], [0, 0, 0], [10, 5, 2], {}),
    ('lowerBoundsOnly', exp_decay, exp_decay_jac, [1, 0.5, 0.2], [0, 0, 0], [INF, INF, INF], {}),
    ('unbounded', exp_decay, exp_decay_jac, [1, 1, 0], [-INF] * 3, [INF] * 3, {}),
    ('maxEvaluations', exp_decay, exp_decay_jac, [1, 1, 0.3], [0, 0, 0], [10, 5, 0.6], {'max_nfev': 5}),
    ('nonFiniteRegion', exp_decay_guarded, exp_decay_jac, [0.5, 0.5, 1], [0, 0, 0], [10, 5, 2], {}),
    ('wrongJacobian', wrong, wrong_jac, [-1.2, 1], [-INF, -INF], [INF, INF], {}),
    ('nanWall', exp_decay_guarded, exp_decay_jac, [1, 1.2, 1.5], [0, 0, 0], [10, 5, 2], {}),
    ('large', big, big_jac, [1, 1, 0.2, 1, 0.2], [0, 0, 0, 0, 0], [10, 100, 2, 100, 2], {}),
    ('broydenBanded', broyden, broyden_jac, X0_BB, LOWER_BB, UPPER_BB, {'ftol': 1e-12, 'xtol': 1e-12}),
]

# Cases whose every evaluated point (x0 moved inside, then each trial) the test pins too.
TRAJECTORIES = {'expDecayUpperActive', 'expDecayTwoActive', 'expDecayCauchy', 'rosenbrockBox',
                'rankDeficient', 'underdetermined'}

print(f'# scipy {scipy.__version__}, numpy {np.__version__}')
for name, fun, jac, x0, lb, ub, extra in CASES:
    non_finite_trials[0] = 0
    points = []

    def recorded(x, fun=fun):
        points.append([float(v) for v in x])
        return fun(x)

    res = least_squares(recorded, np.array(x0, dtype=float), jac=jac, bounds=(lb, ub),
                        method='trf', x_scale='jac', **extra)
    out = {'case': name, 'x': [float(v) for v in res.x], 'cost': float(res.cost),
           'status': int(res.status), 'nfev': int(res.nfev), 'njev': int(res.njev),
           'optimality': float(res.optimality)}
    if name in ('nonFiniteRegion', 'nanWall'):
        out['nonFiniteTrials'] = non_finite_trials[0]
    if name in TRAJECTORIES:
        out['trials'] = points
    print(json.dumps(out))
