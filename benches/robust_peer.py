#!/usr/bin/env python3
"""The peer of `solve --robust`: the extensive Rockafellar–Uryasev LP an analyst writes.

    python3 benches/robust_peer.py MODEL_DIR [--alpha A] [--weight W] [--spot-premium P]
                                   [--check ROBUST_JSON] [--time-limit S]

Reads the model folder as benches/reference.py does (its `read_model` and `build_lp`: the
policy rows, in shares of demand) plus scenarios.csv, states the whole robust program as
ONE sparse LP with scipy.sparse and solves it with HiGHS through highspy:

    min  Σ_s p_s L_s + W (η + Σ_s p_s z_s / (1 − α))
    s.t. z_s ≥ L_s − η, z_s ≥ 0, the policy rows of every mineral, and per scenario s and
         mineral m with lost deliveries: Σ_i (1 − δ_is) x_i ≤ Σ_i y_is + v_sm,
         y_is + δ_is x_i ≤ a_is cap_i (an offer's spot room), y, v ≥ 0,
    L_s = Σ_i l_i δ_is x_i + Σ_m p_m u_m + Σ_i l_i f_is (1 + P) y_is + Σ_m p_m v_sm

(the semantics of README "Planning for a ban": a_is the product of the capacity factors of
the shocks matching offer i in s, δ = min(a, 1), f the price factors; an offer sells spot
when a > 0, it is not excluded, and its spot price is below the unmet penalty; the planned
shortfall u_m is unmet at the penalty in every scenario; the baseline takes the probability
the scenarios leave over). Defaults α = 0.95, W = 1, P = 0.25, as `solve --robust`.

Prints one JSON object: the objective (currency), wall_secs from the first byte of the CSVs
to the objective (reading, building, solving; the interpreter's start and imports are not
in it, as in reference.py), solve_secs, rows, cols, nnz, HiGHS' status. With --check, also
the relative difference to the robust objective of a `solve --robust --format json` output
and whether it is within 1e-6 (exit 1 when not).
Needs: pip install highspy scipy numpy
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import build_lp, read_model  # noqa: E402


def read_scenarios(path):
    """name -> (probability, [(mineral, country, supplier, capacity_factor, price_factor)])."""
    scenarios = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            r = {k.strip(): (v or "").strip() for k, v in r.items()}
            name = r["scenario"]
            p = float(r["probability"])
            shocks = scenarios.setdefault(name, (p, []))[1]
            if any(r.get(k, "") for k in ("mineral", "country", "supplier", "capacity_factor", "price_factor")):
                shocks.append((
                    r.get("mineral", "").lower(),
                    r.get("country", ""),
                    r.get("supplier", ""),
                    float(r["capacity_factor"]) if r.get("capacity_factor", "") else 1.0,
                    float(r["price_factor"]) if r.get("price_factor", "") else 1.0,
                ))
    return scenarios


def excluded(m):
    """Offers an exclusion row of constraints.csv removes (they sell no spot either)."""
    n = len(m["mi"])
    out = np.zeros(n, dtype=bool)
    for r in m["constraints"]:
        kind, mineral, target = r["constraint"], r["mineral"], r["target"]
        mmask = np.ones(n, dtype=bool) if mineral in ("*", "") else m["mi"] == m["minerals"][mineral.lower()]
        if kind == "exclude_country" and target in m["codes"]:
            out |= mmask & (m["ci"] == m["codes"].index(target))
        elif kind == "exclude_supplier":
            out |= mmask & (m["supplier"] == target)
    return out


def factors(m, shocks):
    """Capacity and price factor of every offer under `shocks`."""
    n = len(m["mi"])
    a, f = np.ones(n), np.ones(n)
    for mineral, country, supplier, cf, pf in shocks:
        mask = np.ones(n, dtype=bool)
        if mineral:
            mask &= m["mi"] == m["minerals"][mineral]
        if country:
            mask &= (m["ci"] == m["codes"].index(country)) if country in m["codes"] else False
        if supplier:
            mask &= m["supplier"] == supplier
        a[mask] *= cf
        f[mask] *= pf
    return a, f


def build_robust(m, lp, scenarios, alpha, weight, premium):
    """The extensive program as (c, lo, hi, A (csr), row_lo, row_hi), costs scaled."""
    import scipy.sparse as sp

    D = m["demand"]
    mi = m["mi"]
    n = len(mi)
    M = len(D)
    pen = [(k, p) for k, p in enumerate(m["penalty"]) if p is not None]
    if len(pen) != M:
        raise SystemExit("robust_peer.py: every mineral needs an unmet_penalty")
    penalty = np.array([p for _, p in pen])
    c_x = m["cost"] * D[mi]  # currency per share
    scale = float(np.median(c_x[c_x > 0]))
    c_x = c_x / scale
    c_u = penalty * D / scale
    ex = excluded(m)
    p_total = sum(p for p, _ in scenarios.values())
    scen = [(1.0 - p_total, [])] if 1.0 - p_total > 0 else []
    scen += [(p, sh) for p, sh in scenarios.values() if p > 0]

    cols_lo = [lp["lo"]]
    cols_hi = [lp["hi"]]
    ncol = lp["n_cols"]  # x, then u (every mineral has a penalty)
    obj = np.zeros(ncol)
    # policy rows
    v, r, c = lp["ub"]
    rows_v, rows_r, rows_c = [v], [r], [c]
    rlo = [np.full(lp["n_ub"], -np.inf)]
    rhi = [lp["b_ub"]]
    nrow = lp["n_ub"]
    v, r, c = lp["eq"]
    rows_v.append(v)
    rows_r.append(r + nrow)
    rows_c.append(c)
    rlo.append(lp["b_eq"])
    rhi.append(lp["b_eq"])
    nrow += len(lp["b_eq"])

    def new_cols(k, lo, hi, cost):
        nonlocal ncol, obj
        start = ncol
        cols_lo.append(np.broadcast_to(lo, k).astype(float))
        cols_hi.append(np.broadcast_to(hi, k).astype(float))
        obj = np.concatenate([obj, np.broadcast_to(cost, k).astype(float)])
        ncol += k
        return np.arange(start, start + k)

    def add_rows(k, r_local, c, v, lo, hi):
        nonlocal nrow
        rows_r.append(r_local + nrow)
        rows_c.append(c)
        rows_v.append(v)
        rlo.append(np.broadcast_to(lo, k).astype(float))
        rhi.append(np.broadcast_to(hi, k).astype(float))
        nrow += k

    eta = new_cols(1, 0.0, np.inf, weight)[0] if weight > 0 else None
    u_cols = np.arange(n, n + M)
    obj[u_cols] += c_u
    cap_share = m["cap"] / D[mi]
    all_offers = np.arange(n)
    for p, shocks in scen:
        a, f = factors(m, shocks)
        delta = np.minimum(a, 1.0)
        # L_s terms: (column, coefficient)
        lc = [all_offers, u_cols]
        lv = [c_x * delta, c_u]
        obj[:n] += p * c_x * delta
        spot_price = m["cost"] * f * (1.0 + premium)
        for k in range(M):
            lost = (mi == k) & (delta < 1.0)
            if not lost.any():
                continue
            sells = (mi == k) & (a > 0) & ~ex & (spot_price < penalty[k])
            idx = np.nonzero(sells)[0]
            price = spot_price[idx] * D[k] / scale
            y = new_cols(idx.size, 0.0, np.inf, p * price)
            vv = new_cols(1, 0.0, np.inf, p * penalty[k] * D[k] / scale)
            lc += [y, vv]
            lv += [price, np.array([penalty[k] * D[k] / scale])]
            # balance: Σ (1 − δ) x − Σ y − v ≤ 0
            li = np.nonzero(lost)[0]
            cols = np.concatenate([li, y, vv])
            vals = np.concatenate([1.0 - delta[li], -np.ones(idx.size), [-1.0]])
            add_rows(1, np.zeros(cols.size, dtype=np.int64), cols, vals, -np.inf, 0.0)
            # spot room: y + δ x ≤ a cap (finite capacities)
            fin = np.isfinite(cap_share[idx])
            j = idx[fin]
            kk = j.size
            local = np.arange(kk)
            add_rows(kk, np.concatenate([local, local]), np.concatenate([y[fin], j]),
                     np.concatenate([np.ones(kk), delta[j]]), -np.inf, a[j] * cap_share[j])
        if weight > 0:
            z = new_cols(1, 0.0, np.inf, weight * p / (1.0 - alpha))[0]
            lcol = np.concatenate(lc)
            lval = np.concatenate(lv)
            cols = np.concatenate([[z, eta], lcol])
            vals = np.concatenate([[1.0, 1.0], -lval])
            add_rows(1, np.zeros(cols.size, dtype=np.int64), cols, vals, 0.0, np.inf)
    A = sp.csr_matrix((np.concatenate(rows_v), (np.concatenate(rows_r), np.concatenate(rows_c))),
                      shape=(nrow, ncol))
    A.sum_duplicates()
    return obj, np.concatenate(cols_lo), np.concatenate(cols_hi), A, np.concatenate(rlo), np.concatenate(rhi), scale


def solve_highs(obj, lo, hi, A, rlo, rhi, time_limit):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    model = highspy.HighsLp()
    model.num_col_ = A.shape[1]
    model.num_row_ = A.shape[0]
    model.col_cost_ = obj
    inf = highspy.kHighsInf
    model.col_lower_ = lo
    model.col_upper_ = np.where(np.isinf(hi), inf, hi)
    model.row_lower_ = np.where(np.isinf(rlo), -inf, rlo)
    model.row_upper_ = np.where(np.isinf(rhi), inf, rhi)
    csc = A.tocsc()
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = csc.indptr
    model.a_matrix_.index_ = csc.indices
    model.a_matrix_.value_ = csc.data
    h.passModel(model)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    return h.getInfo().objective_function_value, status


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--alpha", type=float, default=0.95)
    ap.add_argument("--weight", type=float, default=1.0)
    ap.add_argument("--spot-premium", type=float, default=0.25)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--check", help="a `solve --robust --format json` output to compare with")
    args = ap.parse_args()
    import highspy  # noqa: F401
    import scipy.sparse  # noqa: F401

    t0 = time.perf_counter()
    m = read_model(args.model)
    scenarios = read_scenarios(os.path.join(args.model, "scenarios.csv"))
    lp = build_lp(m)
    obj, lo, hi, A, rlo, rhi, scale = build_robust(m, lp, scenarios, args.alpha, args.weight, args.spot_premium)
    t = time.perf_counter()
    value, status = solve_highs(obj, lo, hi, A, rlo, rhi, args.time_limit)
    solve = time.perf_counter() - t
    wall = time.perf_counter() - t0
    rec = {
        "objective": value * scale,
        "status": status,
        "wall_secs": wall,
        "solve_secs": solve,
        "rows": A.shape[0],
        "cols": A.shape[1],
        "nnz": int(A.nnz),
    }
    ok = True
    if args.check:
        robust = json.load(open(args.check))["robust"]
        rel = abs(robust["objective"] - rec["objective"]) / abs(rec["objective"])
        rec["sourcemix_objective"] = robust["objective"]
        rec["relative_difference"] = rel
        ok = rel <= 1e-6
        rec["agrees_1e-6"] = ok
    print(json.dumps(rec), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
