"""sourcemix: the cheapest supply mix of critical minerals under a diversification policy.

Read a model folder or workbook with :func:`load`, or build one from pandas or polars
frames (or anything with the Arrow PyCapsule interface) with :meth:`Model.from_frames`;
then ``solve``, ``policy``, ``explain``, ``frontier``, ``stress``, ``robust`` or ``hedge`` with the
CLI's options as keyword arguments. Each returns a :class:`Result` whose tables are
DataFrames with the columns and numbers of the CSV files the CLI writes.

Errors are :class:`Error` subclasses carrying the CLI's message and ``exit_code``:
:class:`InputError` (2), :class:`InfeasibleError` (3), :class:`SolverError` (4),
:class:`WriteError` (5).
"""

from ._model import Model, Result, load
from ._sourcemix import (
    Error,
    InfeasibleError,
    InputError,
    SolverError,
    WriteError,
    __version__,
)

__all__ = [
    "Error",
    "InfeasibleError",
    "InputError",
    "Model",
    "Result",
    "SolverError",
    "WriteError",
    "__version__",
    "load",
]
