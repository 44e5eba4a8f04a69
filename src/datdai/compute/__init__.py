"""Execution backends for bulk work: DuckDB (local default) and Apache Spark (national scale).

An engine holds named Arrow tables, runs SQL over them in its own dialect (rules write their
SQL through :class:`~datdai.compute.base.Dialect`), and maps a Python function over groups of
rows (per commune) for the geometry work that SQL cannot do.
"""

from __future__ import annotations

from datdai.compute.base import Dialect, Engine


def open_engine(name: str, **options) -> Engine:
    """``duckdb`` (default) or ``spark``."""
    if name == "duckdb":
        from datdai.compute.duckdb_engine import DuckDBEngine

        return DuckDBEngine(**options)
    if name == "spark":
        from datdai.compute.spark_engine import SparkEngine

        return SparkEngine(**options)
    raise ValueError(f"không có engine '{name}' (duckdb, spark) / unknown engine")


__all__ = ["Dialect", "Engine", "open_engine"]
