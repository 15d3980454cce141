"""Type stubs of the native module (Rust, pyo3)."""

from typing import List, Optional, Sequence, Tuple, Union

_Value = Union[int, float, str, None]

__version__: str

class Error(Exception):
    exit_code: int

class InputError(Error): ...
class InfeasibleError(Error): ...
class SolverError(Error): ...
class WriteError(Error): ...

class Outcome:
    status: str
    exit_code: int
    text: str
    warnings: List[str]
    problems: List[str]
    def json(self) -> str: ...
    def tables(self) -> List[Tuple[str, List[Tuple[str, str]], bytes]]: ...
    def to_xlsx(self, path: str) -> None: ...
    def quantities(self) -> Optional[List[float]]: ...

class NativeModel:
    warnings: List[str]
    def solve(
        self,
        *,
        solver: Optional[str] = ...,
        time_limit: _Value = ...,
        mip_gap: _Value = ...,
        threads: _Value = ...,
        no_aggregate: bool = ...,
        aggregate_all: bool = ...,
        by_priority: bool = ...,
        ranging: bool = ...,
    ) -> Outcome: ...
    def policy(
        self, *, solver: Optional[str] = ..., time_limit: _Value = ..., mip_gap: _Value = ..., threads: _Value = ...
    ) -> Outcome: ...
    def compare(
        self,
        *,
        cases: Optional[str] = ...,
        alpha: _Value = ...,
        spot_premium: _Value = ...,
        solver: Optional[str] = ...,
        time_limit: _Value = ...,
        mip_gap: _Value = ...,
        threads: _Value = ...,
    ) -> Outcome: ...
    def explain(
        self, *, solver: Optional[str] = ..., time_limit: _Value = ..., mip_gap: _Value = ..., threads: _Value = ...
    ) -> Outcome: ...
    def frontier(
        self,
        *,
        measure: str,
        points: _Value = ...,
        stage: Optional[str] = ...,
        solver: Optional[str] = ...,
        time_limit: _Value = ...,
        mip_gap: _Value = ...,
        threads: _Value = ...,
    ) -> Outcome: ...
    def stress(
        self,
        plan: Outcome,
        *,
        alpha: _Value = ...,
        spot_premium: _Value = ...,
        n_1: bool = ...,
        stage: Optional[str] = ...,
    ) -> Outcome: ...
    def hedge(
        self,
        *,
        weights: Optional[Union[str, Sequence[_Value]]] = ...,
        alpha: _Value = ...,
        spot_premium: _Value = ...,
        n_1: bool = ...,
        stage: Optional[str] = ...,
        method: Optional[str] = ...,
        solver: Optional[str] = ...,
        time_limit: _Value = ...,
        mip_gap: _Value = ...,
        threads: _Value = ...,
    ) -> Outcome: ...
    def robust(
        self,
        *,
        alpha: _Value = ...,
        cvar_weight: _Value = ...,
        spot_premium: _Value = ...,
        n_1: bool = ...,
        stage: Optional[str] = ...,
        method: Optional[str] = ...,
        solver: Optional[str] = ...,
        time_limit: _Value = ...,
        mip_gap: _Value = ...,
        threads: _Value = ...,
    ) -> Outcome: ...
    def scenarios(
        self,
        *,
        samples: _Value = ...,
        seed: _Value = ...,
        severity: _Value = ...,
        stage: Optional[str] = ...,
    ) -> Outcome: ...

def load(path: str) -> NativeModel: ...
def parse_tables(tables: List[Tuple[str, bytes]]) -> NativeModel: ...
