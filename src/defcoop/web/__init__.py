"""The graph as a web service (``defcoop serve``): one Starlette application.

`app.create_app` builds it; one module per group of routes: `sparql` (the SPARQL 1.1
Protocol), `api` (one operation per stored query, its OpenAPI document and page),
`things` (every IRI under https://w3id.org/defcoop/ dereferenced, and the site's
pages), `void` (the dataset description). `service` holds what they share (the
store, the library, the site's pages), `problems` the RFC 9457 error documents,
`conneg` the choice of a media type, `htaccess` the w3id redirect rules.
"""
