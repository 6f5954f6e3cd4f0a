"""publish: takes the ontology and the store and gives what other users and tools expect of a
knowledge graph: the ontology's documentation (HTML for people, Turtle, RDF/XML and JSON-LD for
machines, so that every ``wsa:`` IRI leads somewhere), a description of the dataset (VoID), and
dumps of the graph; the CLI writes them and the web app serves them, neither makes them.
"""
