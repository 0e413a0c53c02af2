"""Links from the graph's entities to Wikidata: check them, suggest new ones, accept one, and
enrich the graph with a declared set of Wikidata facts about linked items.

Everything learned from Wikidata is written under ``data/wikidata/`` (an input, like a source),
so builds and tests never need the network.
"""
