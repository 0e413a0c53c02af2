"""aigov-kg: a knowledge graph of AI governance, each fact tied to the words that state it.

From Python, the saved queries run as on the command line::

    import kg
    result = kg.run("signatories", {"pledge": "Bletchley Declaration"})
    result.records()        # rows of plain Python values
    result.to_dataframe()   # with pandas installed
    kg.queries()            # the saved queries and their parameters
    kg.ask("Which blocs signed the Paris statement?")  # plain English, with the evidence

The build lives in :mod:`kg.make.steps` (steps load, validate, reason, publish). Importing ``kg``
loads nothing heavy: :func:`run` and :func:`queries` import the query path on first use, and
that path never imports rdflib, owlready2 or pyshacl.
"""

__version__ = "0.1.0"


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """``kg.run``, ``kg.queries`` and ``kg.ask``, imported on first use."""
    if name == "run":
        from kg.use.query import run

        return run
    if name == "queries":
        from kg.use.query import list_queries

        return list_queries
    if name == "ask":
        from kg.use.questions import ask

        return ask
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
