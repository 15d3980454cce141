#!/usr/bin/env python3
"""Reference optima and timings for sourcemix models, from off-the-shelf LP tooling.

Reads a model folder in the formats of SPEC §1 (suppliers.csv, demand.csv, countries.csv,
constraints.csv), states the whole model -- every mineral at once -- as ONE sparse LP and
solves it end to end with

  * scipy:  scipy.optimize.linprog(method="highs") on scipy.sparse matrices, and
  * pulp:   PuLP with the CBC binary it bundles,

printing the total cost and the wall time of each (reading the CSVs with the csv module,
building the matrices or the PuLP model, solving, and reading the solution back).

Supported policy rows: max_country_share (ISO3 or *), max_supplier_share (id or *),
min_group_share / max_group_share, max_avg_risk, exclude_country, exclude_supplier --
everything `sourcemix generate` writes. Rows that need integers or quadratics (max_hhi,
max_risk_hhi, min/max_suppliers, min_countries) and offers with min_order / fixed_cost
are refused (exit 2): this is a linear reference only.

The LP is stated in shares of each mineral's demand (x' = x / D_m), as sourcemix does, so
coefficients stay near 1; costs are landed costs l_i = unit_cost (1 + tariff) + freight
times D_m.

Usage:
  python3 benches/reference.py MODEL_DIR [--solvers scipy,scipy-nopresolve,pulp] [--json]

(`scipy-nopresolve` is scipy with HiGHS' presolve off, as sourcemix runs HiGHS.)

With --json it prints one JSON object per solver per line:
  {"solver": "scipy", "total_cost": ..., "wall_secs": ..., "read_secs": ..., "build_secs":
   ..., "solve_secs": ..., "import_secs": ..., "rows": ..., "cols": ..., "nnz": ...}
wall_secs = read + build + solve (+ reading the solution back), from the first byte of the
CSVs to the total cost; the Python interpreter's start and the library imports
(import_secs) are not in it.
Needs: pip install scipy numpy pulp
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np


class ModelError(Exception):
    pass


def read_table(path):
    """Header -> list of rows as dicts, cells trimmed, BOM accepted."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        rows = []
        for r in reader:
            if not r or all(not c.strip() for c in r):
                continue
            rows.append({h: (r[k].strip() if k < len(r) else "") for k, h in enumerate(header)})
    return header, rows


def num(s, default=None):
    if s == "":
        if default is None:
            raise ModelError("missing required number")
        return default
    return float(s)


def read_model(d):
    """Returns a dict of numpy arrays describing the offers and the policy rows."""
    _, sup = read_table(os.path.join(d, "suppliers.csv"))
    _, dem = read_table(os.path.join(d, "demand.csv"))
    countries = {}
    cpath = os.path.join(d, "countries.csv")
    if os.path.exists(cpath):
        _, crows = read_table(cpath)
        for r in crows:
            countries[r["country"]] = (
                num(r["risk"]),
                set(g.strip() for g in r.get("groups", "").split(";") if g.strip()),
                num(r.get("tariff", ""), 0.0),
            )
    cons = []
    kpath = os.path.join(d, "constraints.csv")
    if os.path.exists(kpath):
        _, cons = read_table(kpath)

    minerals = {}
    demand, penalty, names = [], [], []
    for r in dem:
        key = r["mineral"].lower()
        minerals[key] = len(names)
        names.append(r["mineral"])
        demand.append(num(r["quantity"]))
        p = r.get("unmet_penalty", "")
        penalty.append(None if p == "" else float(p))

    n = len(sup)
    mi = np.empty(n, dtype=np.int64)
    ci = np.empty(n, dtype=np.int64)
    cost = np.empty(n)
    cap = np.empty(n)
    supplier = []
    ccode = {}
    codes = []
    for i, r in enumerate(sup):
        if r.get("min_order", "") not in ("", "0") or r.get("fixed_cost", "") not in ("", "0"):
            raise ModelError("min_order / fixed_cost need integers: not a linear reference model")
        mi[i] = minerals[r["mineral"].lower()]
        c = r["country"]
        if c not in ccode:
            ccode[c] = len(codes)
            codes.append(c)
        ci[i] = ccode[c]
        tariff = countries[c][2] if countries else 0.0
        cost[i] = num(r["unit_cost"]) * (1.0 + tariff) + num(r.get("freight", ""), 0.0)
        cap[i] = num(r.get("capacity", ""), np.inf)
        supplier.append(r["supplier"])
    supplier = np.array(supplier, dtype=object)
    risk = np.array([countries[c][0] if countries else 0.0 for c in codes])
    groups = [countries[c][1] if countries else set() for c in codes]
    return {
        "names": names,
        "demand": np.array(demand),
        "penalty": penalty,
        "mi": mi,
        "ci": ci,
        "cost": cost,
        "cap": cap,
        "supplier": supplier,
        "codes": codes,
        "risk": risk,
        "groups": groups,
        "constraints": cons,
        "minerals": minerals,
    }


def build_lp(m):
    """The monolithic LP in shares: min c'x s.t. A_ub x <= b_ub, A_eq x = b_eq, lo <= x <= hi.

    Columns: one per offer, then one unmet variable per mineral with an unmet_penalty.
    Returns (c, A_ub, b_ub, A_eq, b_eq, lo, hi, scale) with true cost = c'x (c already in
    currency per share), as (data, row, col) triplets for the sparse matrices.
    """
    D = m["demand"]
    mi, ci = m["mi"], m["ci"]
    n = len(mi)
    M = len(D)
    d_off = D[mi]
    hi = m["cap"] / d_off  # shares; inf stays inf
    lo = np.zeros(n)
    c = m["cost"] * d_off

    ub_rows, ub_cols, ub_vals, b_ub = [], [], [], []
    n_ub = 0

    def add_grouped(mask, keys, coef, bound_per_key, sign):
        """One row per distinct key among masked offers: sign*sum(coef x) <= sign*bound."""
        nonlocal n_ub
        idx = np.nonzero(mask)[0]
        if idx.size == 0:
            return
        uk, inv = np.unique(keys[idx], return_inverse=True)
        ub_rows.append(n_ub + inv)
        ub_cols.append(idx)
        ub_vals.append(sign * coef[idx])
        b_ub.append(sign * bound_per_key(uk))
        n_ub += uk.size

    ones = np.ones(n)
    group_of = {}
    for r in m["constraints"]:
        kind, mineral, target, bound = r["constraint"], r["mineral"], r["target"], r["bound"]
        if mineral in ("*", ""):
            mmask = np.ones(n, dtype=bool)
        else:
            mmask = mi == m["minerals"][mineral.lower()]
        if kind == "max_country_share":
            b = float(bound)
            if target == "*":
                mask = mmask
            else:
                mask = mmask & (ci == m["codes"].index(target)) if target in m["codes"] else mmask & False
            add_grouped(mask, mi * len(m["codes"]) + ci, ones, lambda k: np.full(k.size, b), 1.0)
        elif kind == "max_supplier_share":
            b = float(bound)
            mask = mmask if target == "*" else mmask & (m["supplier"] == target)
            hi = np.where(mask, np.minimum(hi, b), hi)
        elif kind in ("min_group_share", "max_group_share"):
            b = float(bound)
            if target not in group_of:
                group_of[target] = np.array([target in g for g in m["groups"]], dtype=bool)
            mask = mmask & group_of[target][ci]
            sign = -1.0 if kind == "min_group_share" else 1.0
            # every mineral matched gets its row, even with an empty sum
            for k in (range(M) if mineral in ("*", "") else [m["minerals"][mineral.lower()]]):
                idx = np.nonzero(mask & (mi == k))[0]
                ub_rows.append(np.full(idx.size, n_ub))
                ub_cols.append(idx)
                ub_vals.append(np.full(idx.size, sign))
                b_ub.append(np.array([sign * b]))
                n_ub += 1
        elif kind == "max_avg_risk":
            b = float(bound)
            add_grouped(mmask, mi, m["risk"][ci], lambda k: np.full(k.size, b), 1.0)
        elif kind == "exclude_country":
            mask = mmask & (ci == m["codes"].index(target)) if target in m["codes"] else mmask & False
            hi = np.where(mask, 0.0, hi)
        elif kind == "exclude_supplier":
            hi = np.where(mmask & (m["supplier"] == target), 0.0, hi)
        else:
            raise ModelError(f"policy row {kind} is not linear: not supported by the reference")

    # unmet variables
    pen = [(k, p) for k, p in enumerate(m["penalty"]) if p is not None]
    n_cols = n + len(pen)
    if pen:
        c = np.concatenate([c, [p * D[k] for k, p in pen]])
        lo = np.concatenate([lo, np.zeros(len(pen))])
        hi = np.concatenate([hi, np.ones(len(pen))])
    eq_rows = [mi] + [np.array([k]) for k, _ in pen]
    eq_cols = [np.arange(n)] + [np.array([n + j]) for j in range(len(pen))]
    eq_vals = [np.ones(n)] + [np.ones(1) for _ in pen]
    b_eq = np.ones(M)

    # The solvers see the objective in a price unit of its own (sourcemix does the same):
    # with raw currency-per-share coefficients near 1e9-1e10, HiGHS' simplex in scipy 1.17
    # stops with "HiGHS Status 0: Not Set" on the 50k x 1 model. The reported cost is c'x
    # in true currency.
    finite = c[np.isfinite(c) & (c > 0)]
    obj_scale = 1.0 / float(np.median(finite)) if finite.size else 1.0
    cat = lambda parts, dtype=float: (np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype))
    return {
        "c": c,
        "obj": c * obj_scale,
        "ub": (cat(ub_vals), cat(ub_rows, np.int64), cat(ub_cols, np.int64)),
        "b_ub": cat(b_ub),
        "n_ub": n_ub,
        "eq": (cat(eq_vals), cat(eq_rows, np.int64), cat(eq_cols, np.int64)),
        "b_eq": b_eq,
        "lo": lo,
        "hi": hi,
        "n_cols": n_cols,
    }


def solve_scipy(lp, presolve=True):
    import scipy.sparse as sp
    from scipy.optimize import linprog

    t = time.perf_counter()
    n = lp["n_cols"]
    v, r, c = lp["ub"]
    A_ub = sp.csr_matrix((v, (r, c)), shape=(lp["n_ub"], n))
    v, r, c = lp["eq"]
    A_eq = sp.csr_matrix((v, (r, c)), shape=(len(lp["b_eq"]), n))
    bounds = np.column_stack([lp["lo"], lp["hi"]])  # linprog reads inf as "no bound"
    build = time.perf_counter() - t
    t = time.perf_counter()
    res = linprog(lp["obj"], A_ub=A_ub, b_ub=lp["b_ub"], A_eq=A_eq, b_eq=lp["b_eq"],
                  bounds=bounds, method="highs", options={"presolve": presolve})
    solve = time.perf_counter() - t
    if res.status != 0:
        raise RuntimeError(f"linprog: {res.message}")
    nnz = A_ub.nnz + A_eq.nnz
    return float(lp["c"] @ res.x), build, solve, nnz


def solve_pulp(lp):
    import pulp

    t = time.perf_counter()
    n = lp["n_cols"]
    prob = pulp.LpProblem("sourcemix_reference", pulp.LpMinimize)
    hi = lp["hi"]
    x = [pulp.LpVariable(f"x{j}", lowBound=float(lp["lo"][j]),
                         upBound=None if np.isinf(hi[j]) else float(hi[j])) for j in range(n)]
    prob += pulp.LpAffineExpression(zip(x, lp["obj"].tolist()))

    def rows(triplet, n_rows):
        v, r, c = triplet
        order = np.argsort(r, kind="stable")
        v, r, c = v[order], r[order], c[order]
        starts = np.searchsorted(r, np.arange(n_rows + 1))
        for k in range(n_rows):
            a, b = starts[k], starts[k + 1]
            yield k, pulp.LpAffineExpression(zip([x[j] for j in c[a:b]], v[a:b].tolist()))

    for k, e in rows(lp["ub"], lp["n_ub"]):
        prob += (e <= float(lp["b_ub"][k]), f"ub{k}")
    for k, e in rows(lp["eq"], len(lp["b_eq"])):
        prob += (e == float(lp["b_eq"][k]), f"eq{k}")
    build = time.perf_counter() - t
    t = time.perf_counter()
    status = prob.solve(pulp.PULP_CBC_CMD(msg=False))
    solve = time.perf_counter() - t
    if pulp.LpStatus[status] != "Optimal":
        raise RuntimeError(f"CBC: {pulp.LpStatus[status]}")
    xv = np.array([v.varValue or 0.0 for v in x])
    return float(lp["c"] @ xv), build, solve, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--solvers", default="scipy,pulp")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    # Library imports are done (and timed) up front, outside each solver's end-to-end time:
    # a long-running service would have them loaded already. The harness also reports the
    # whole process's wall time, which includes interpreter start and imports.
    t = time.perf_counter()
    import_secs = {}
    for name in args.solvers.split(","):
        t = time.perf_counter()
        if name in ("scipy", "scipy-nopresolve"):
            import scipy.optimize  # noqa: F401
            import scipy.sparse  # noqa: F401
        elif name == "pulp":
            import pulp  # noqa: F401
        import_secs[name] = time.perf_counter() - t
    out = []
    for name in args.solvers.split(","):
        # Each solver is timed end to end from the CSVs, as the sourcemix binary is.
        t0 = time.perf_counter()
        try:
            model = read_model(args.model)
            read = time.perf_counter() - t0
            t = time.perf_counter()
            lp = build_lp(model)
            build0 = time.perf_counter() - t
        except (ModelError, KeyError, ValueError) as e:
            print(f"reference.py: {args.model}: {e}", file=sys.stderr)
            sys.exit(2)
        if name == "scipy":
            cost, build1, solve, nnz = solve_scipy(lp)
        elif name == "scipy-nopresolve":
            cost, build1, solve, nnz = solve_scipy(lp, presolve=False)
        elif name == "pulp":
            cost, build1, solve, nnz = solve_pulp(lp)
        else:
            print(f"reference.py: unknown solver {name}", file=sys.stderr)
            sys.exit(2)
        wall = time.perf_counter() - t0
        rec = {
            "solver": name,
            "total_cost": cost,
            "wall_secs": wall,
            "read_secs": read,
            "build_secs": build0 + build1,
            "solve_secs": solve,
            "import_secs": import_secs.get(name, 0.0),
            "rows": lp["n_ub"] + len(lp["b_eq"]),
            "cols": lp["n_cols"],
            "nnz": nnz,
        }
        out.append(rec)
        if args.json:
            print(json.dumps(rec), flush=True)
        else:
            print(f"{name}: total cost {cost:.10g}  wall {wall:.3f} s "
                  f"(read {read:.3f}, build {build0 + build1:.3f}, solve {solve:.3f}; "
                  f"{rec['rows']} rows x {rec['cols']} cols)", flush=True)


if __name__ == "__main__":
    main()
