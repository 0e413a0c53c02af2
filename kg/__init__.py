"""aigov-kg: a knowledge graph of AI governance, each fact tied to the words that state it.

The build lives in :mod:`kg.build` (steps load, validate, reason, publish); importing ``kg``
itself loads neither rdflib nor owlready2 nor pyshacl.
"""

__version__ = "0.1.0"
