"""The documented Python API for queries, kept at this short name: ``from kg.query import run``.

The code lives in :mod:`kg.use.query`."""

from kg.use.query import QueryText, execute, list_queries, run, saved

__all__ = ["QueryText", "execute", "list_queries", "run", "saved"]
