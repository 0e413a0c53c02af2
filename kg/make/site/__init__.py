"""The static Linked Data site of the built graph (``dist/site/``): a page for every entity,
source, pledge, summit, saved query and ontology term, with their data alternates."""
