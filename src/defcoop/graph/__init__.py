"""The graph's files and texts: which files make the graph and how they parse (`files`), the
source texts and their normalisation (`sources`), quotes (`provenance`, `anchor`), `export` and `info`.
"""
