"""Making the graph from its sources: read the ontology, the sources and what each source claims,
locate the evidence, derive the accepted graph by the acceptance rules, validate, reason, and
publish ``dist/``. ``python build.py`` runs it through :mod:`kg.make.steps`; it uses rdflib,
pySHACL and owlready2, which the query path never imports."""
