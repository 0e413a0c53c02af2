"""``kg serve``: the built graph as a read-only SPARQL 1.1 endpoint, a REST API of the saved
queries (described by OpenAPI 3), plain-English questions, and a page to write and run queries.

Every query runs in a worker process that can be killed when it overruns its time limit
(pyoxigraph's ``query`` cannot be cancelled), behind lexical checks made before any parsing:
nesting depth, SERVICE calls, updates.
"""
