"""Validation: SHACL shapes (compiled to SPARQL on Oxigraph, or pySHACL), term checks, quote
checks and inference, one entry point (`validate`), with reports for people and machines.
"""
