"""Asking the graph: the stored query library (`library`), typed parameters (`params`), the
embedded Oxigraph engine (`engine`), remote endpoints (`endpoint`), results and their formats.
"""
