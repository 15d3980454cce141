"""Frames in and out: any table-like object to CSV bytes the crate's reader validates,
and the crate's result tables (CSV bytes with column kinds) to DataFrames."""

from __future__ import annotations

import io
from typing import Any, Dict, List, Tuple

import pyarrow as pa
import pyarrow.csv as pacsv

#: Column kinds of the result tables whose cells are text (every other kind is a number
#: or a flag).
_TEXT_KINDS = {"text"}


def to_arrow(frame: Any) -> pa.Table:
    """A pyarrow Table of ``frame``: a pyarrow Table, a pandas or polars DataFrame, or any
    object with the Arrow PyCapsule stream interface (``__arrow_c_stream__``)."""
    if isinstance(frame, pa.Table):
        return frame
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(frame, preserve_index=False)
    if module == "polars":
        return frame.to_arrow()
    if hasattr(frame, "__arrow_c_stream__"):
        return pa.table(frame)
    raise TypeError(
        f"expected a pandas or polars DataFrame, a pyarrow Table or an object with "
        f"__arrow_c_stream__, got {type(frame).__name__}"
    )


def to_csv(frame: Any) -> bytes:
    """``frame`` as CSV bytes: header row, nulls as empty cells."""
    table = to_arrow(frame)
    try:
        # Unquoted cells read fastest; Arrow refuses this style for a cell holding a
        # comma, a quote or a line break, which then gets quotes where needed.
        return _write(table, "none")
    except pa.ArrowInvalid:
        return _write(table, "needed")


def _write(table: pa.Table, quoting: str) -> bytes:
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=True, quoting_style=quoting))
    return sink.getvalue()


def read_table(columns: List[Tuple[str, str]], csv: bytes) -> pa.Table:
    """A result table's CSV bytes as a pyarrow Table: text columns as strings (an empty
    cell is ""), numbers as int64 or float64 as the cells read, empty numbers null."""
    names = [name for name, _ in columns]
    text = {name: pa.string() for name, kind in columns if kind in _TEXT_KINDS}
    convert = pacsv.ConvertOptions(
        column_types=text,
        strings_can_be_null=False,
        include_columns=names,
    )
    return pacsv.read_csv(io.BytesIO(csv), convert_options=convert)


def convert(table: pa.Table, kind: str) -> Any:
    """``table`` as a DataFrame of ``kind``: "pandas", "polars" or "arrow"."""
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars

        return polars.from_arrow(table)
    if kind == "arrow":
        return table
    raise ValueError(f"unknown frame kind {kind!r}: expected pandas, polars or arrow")


def frames_of(tables: List[Tuple[str, List[Tuple[str, str]], bytes]]) -> Dict[str, pa.Table]:
    """Every result table by name, as pyarrow Tables."""
    return {name: read_table(columns, csv) for name, columns, csv in tables}
