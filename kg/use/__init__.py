"""Using the built graph: queries on pyoxigraph or a remote endpoint (:mod:`kg.use.query`), the
Graph Store upload (:mod:`kg.use.push`), the server (:mod:`kg.use.server`), questions in plain
English (:mod:`kg.use.questions`) and the links to Wikidata (:mod:`kg.use.link`). Nothing here
imports rdflib, owlready2 or pyshacl on the query path."""
