"""SHACL engines: the SHACL Core component registry, the compiler to SPARQL on Oxigraph, SHACL-SPARQL, and pySHACL (the reference and the per-shape fallback)."""
