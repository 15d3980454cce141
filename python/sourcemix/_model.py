"""The model and result classes over the native module."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Sequence, Union

import pyarrow as pa

from . import _frames
from . import _sourcemix as _native
from ._sourcemix import InfeasibleError, SolverError

PathLike = Union[str, "os.PathLike[str]"]
#: A number or its text, as the CLI's flag takes it (e.g. ``time_limit=30``).
Value = Union[int, float, str]


def load(path: PathLike) -> "Model":
    """Reads and validates the model folder (suppliers.csv, demand.csv, optional
    countries.csv, constraints.csv, scenarios.csv) or model workbook at ``path``.

    Raises :class:`sourcemix.InputError` naming the file, line, column and value."""
    return Model(_native.load(os.fspath(path)))


class Result:
    """One command's result: ``status``, ``exit_code``, ``text`` (what the CLI prints),
    ``metrics`` (the report as JSON data), ``warnings``, ``problems`` and the result
    tables as DataFrames (``tables``, or ``frames("polars")``): the same columns and
    numbers as the CSV files of the CLI."""

    def __init__(self, outcome: _native.Outcome) -> None:
        self._outcome = outcome
        self._arrow: Optional[Dict[str, pa.Table]] = None

    @property
    def status(self) -> str:
        """``optimal``, ``feasible``, ``infeasible``, ``limit_no_solution`` or ``failed``."""
        return self._outcome.status

    @property
    def exit_code(self) -> int:
        """The exit code the CLI gives for this outcome."""
        return self._outcome.exit_code

    @property
    def text(self) -> str:
        """The summary the CLI prints."""
        return self._outcome.text

    @property
    def metrics(self) -> Any:
        """The typed report as JSON data (costs, statuses, per-mineral figures)."""
        return json.loads(self._outcome.json())

    @property
    def warnings(self) -> List[str]:
        """Warnings of reading the model and of the run."""
        return list(self._outcome.warnings)

    @property
    def problems(self) -> List[str]:
        """What stopped minerals from having a plan (or a limit-stopped plan's note)."""
        return list(self._outcome.problems)

    @property
    def names(self) -> List[str]:
        """The table names, in the CLI's file order (``allocation``, ``summary``, …)."""
        return list(self._arrow_tables())

    @property
    def tables(self) -> Dict[str, Any]:
        """Every result table by name as a pandas DataFrame."""
        return self.frames("pandas")

    def frames(self, kind: str = "pandas") -> Dict[str, Any]:
        """Every result table by name as a ``pandas``, ``polars`` or ``arrow`` table."""
        return {name: _frames.convert(t, kind) for name, t in self._arrow_tables().items()}

    def __getitem__(self, name: str) -> Any:
        """One table as a pandas DataFrame: ``result["allocation"]``."""
        return _frames.convert(self._arrow_tables()[name], "pandas")

    def to_xlsx(self, path: PathLike) -> None:
        """Writes the tables and an ``inputs`` sheet into one workbook, as ``--xlsx``."""
        self._outcome.to_xlsx(os.fspath(path))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<sourcemix.Result {self.status}: {', '.join(self.names)}>"

    def _arrow_tables(self) -> Dict[str, pa.Table]:
        if self._arrow is None:
            self._arrow = _frames.frames_of(self._outcome.tables())
        return self._arrow


def _checked(outcome: _native.Outcome) -> Result:
    """The result, or the exception of its exit code (3 infeasible, 4 solver)."""
    result = Result(outcome)
    if outcome.exit_code in (3, 4):
        cls = InfeasibleError if outcome.exit_code == 3 else SolverError
        err = cls("\n".join(outcome.problems) or outcome.status)
        err.exit_code = outcome.exit_code
        err.result = result
        raise err
    return result


class Model:
    """A validated model. Build it with :func:`load` or :meth:`from_frames`."""

    def __init__(self, native: _native.NativeModel) -> None:
        self._native = native

    @classmethod
    def from_frames(
        cls,
        *,
        suppliers: Any,
        demand: Any,
        countries: Any = None,
        constraints: Any = None,
        scenarios: Any = None,
        tiers: Any = None,
        bundles: Any = None,
        discounts: Any = None,
    ) -> "Model":
        """A model from frames with the columns of the CSV files (pandas, polars, a
        pyarrow Table, or anything with ``__arrow_c_stream__``), validated as the CSV
        reader validates. Raises :class:`sourcemix.InputError` naming the frame, its
        row (0 = first row) and column."""
        given = {
            "suppliers": suppliers,
            "demand": demand,
            "countries": countries,
            "constraints": constraints,
            "scenarios": scenarios,
            "tiers": tiers,
            "bundles": bundles,
            "discounts": discounts,
        }
        tables = [(f"{name}.csv", _frames.to_csv(f)) for name, f in given.items() if f is not None]
        return cls(_native.parse_tables(tables))

    @property
    def warnings(self) -> List[str]:
        """Warnings found while reading (unknown columns, …)."""
        return list(self._native.warnings)

    def solve(
        self,
        *,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
        no_aggregate: bool = False,
        aggregate_all: bool = False,
        by_priority: bool = False,
        ranging: bool = False,
    ) -> Result:
        """``sourcemix solve``: tables ``allocation``, ``summary``, ``constraints``, then
        those of the files ``solve`` writes beyond them: ``ranging`` (with ``ranging``,
        as ``--ranging``), ``tier_prices``, ``bundle_awards``, ``lot_discounts`` (when the
        model has tiered offers, bundles, discounts); ``text`` ends with the soft rules
        the plan breaks. ``by_priority`` is ``--by-priority``: the rows with a priority
        give way tier by tier. Raises :class:`InfeasibleError` (its ``result`` says why)
        or :class:`SolverError`."""
        return _checked(
            self._native.solve(
                solver=solver,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
                no_aggregate=no_aggregate,
                aggregate_all=aggregate_all,
                by_priority=by_priority,
                ranging=ranging,
            )
        )

    def robust(
        self,
        *,
        alpha: Optional[Value] = None,
        cvar_weight: Optional[Value] = None,
        spot_premium: Optional[Value] = None,
        n_1: bool = False,
        stage: Optional[str] = None,
        method: Optional[str] = None,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
    ) -> Result:
        """``sourcemix solve --robust``: the five tables of the robust plan (the three of
        solve, ``stress``, ``stress_summary``); its scenarios are the model's, or with
        ``n_1`` the preset "any one country stops" (with ``stage`` too, each country of
        that stage of the chain stops, as ``--n-1-stage``)."""
        return _checked(
            self._native.robust(
                alpha=alpha,
                cvar_weight=cvar_weight,
                spot_premium=spot_premium,
                n_1=n_1,
                stage=stage,
                method=method,
                solver=solver,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
            )
        )

    def hedge(
        self,
        *,
        weights: Optional[Union[str, Sequence[Value]]] = None,
        alpha: Optional[Value] = None,
        spot_premium: Optional[Value] = None,
        n_1: bool = False,
        stage: Optional[str] = None,
        method: Optional[str] = None,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
    ) -> Result:
        """``sourcemix hedge``: ``solve --robust`` at each CVaR weight of ``weights`` (a
        sequence, or the CLI's comma-separated text; default ``0,0.25,0.5,1,2,4,8``) and
        the split of each plan's hedge: table ``hedge``, hedge.csv's columns and numbers.
        A weight without a plan raises :class:`SolverError`."""
        return _checked(
            self._native.hedge(
                weights=weights,
                alpha=alpha,
                spot_premium=spot_premium,
                n_1=n_1,
                stage=stage,
                method=method,
                solver=solver,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
            )
        )

    def stress(
        self,
        plan: Result,
        *,
        alpha: Optional[Value] = None,
        spot_premium: Optional[Value] = None,
        n_1: bool = False,
        stage: Optional[str] = None,
    ) -> Result:
        """``sourcemix stress``: the plan of ``plan`` (a result of ``solve`` or
        ``robust``) in every scenario: tables ``stress``, ``stress_summary``. ``n_1``
        with ``stage`` is ``--n-1-stage``: each country of that stage stops in turn."""
        return _checked(
            self._native.stress(
                plan._outcome, alpha=alpha, spot_premium=spot_premium, n_1=n_1, stage=stage
            )
        )

    def policy(
        self,
        *,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
    ) -> Result:
        """``sourcemix policy``: what each rule family costs (table ``policy``)."""
        return _checked(
            self._native.policy(
                solver=solver, time_limit=time_limit, mip_gap=mip_gap, threads=threads
            )
        )

    def compare(
        self,
        *,
        cases: Optional[Union[str, "os.PathLike[str]"]] = None,
        alpha: Optional[Value] = None,
        spot_premium: Optional[Value] = None,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
    ) -> Result:
        """``sourcemix compare``: policy variants side by side (table ``compare``), from a
        cases file (as ``--cases``; paths in it are relative to it) or, without one, the
        cases ``full_policy`` and ``no_rules``."""
        return _checked(
            self._native.compare(
                cases=None if cases is None else os.fspath(cases),
                alpha=alpha,
                spot_premium=spot_premium,
                solver=solver,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
            )
        )

    def explain(
        self,
        *,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
    ) -> Result:
        """``sourcemix explain``: the least relaxation of a model without a plan (table
        ``explain``; a header only for a feasible model). Never raises InfeasibleError."""
        return Result(
            self._native.explain(
                solver=solver, time_limit=time_limit, mip_gap=mip_gap, threads=threads
            )
        )

    def frontier(
        self,
        *,
        measure: str,
        points: Optional[Value] = None,
        stage: Optional[str] = None,
        solver: Optional[str] = None,
        time_limit: Optional[Value] = None,
        mip_gap: Optional[Value] = None,
        threads: Optional[Value] = None,
    ) -> Result:
        """``sourcemix frontier``: the cost–risk curve of ``measure`` (``hhi``,
        ``risk_hhi`` or ``avg_risk``), table ``frontier``; with ``stage`` the measure is
        taken at that stage of the chain (``--stage``; the table ends with ``stage``)."""
        return _checked(
            self._native.frontier(
                measure=measure,
                points=points,
                stage=stage,
                solver=solver,
                time_limit=time_limit,
                mip_gap=mip_gap,
                threads=threads,
            )
        )

    def scenarios(
        self,
        *,
        samples: Optional[Value] = None,
        seed: Optional[Value] = None,
        severity: Optional[Value] = None,
        stage: Optional[str] = None,
    ) -> Result:
        """``sourcemix scenarios``: ``samples`` disruption samples (default 10000, seed 1,
        severity 0) as table ``scenarios``, the rows the CLI writes to scenarios.csv;
        with ``stage`` a disrupted country is hit at that stage of the chain
        (``--stage``). Countries are sampled independently (no correlation file)."""
        return _checked(
            self._native.scenarios(samples=samples, seed=seed, severity=severity, stage=stage)
        )
