"""Triple stores over HTTP: one SPARQL protocol client (`client`), loading named graphs
safely (`load`) and serving the graph as a local endpoint (`serve`).
"""
