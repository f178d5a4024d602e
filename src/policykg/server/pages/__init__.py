"""The pages of the site, one module each; :func:`policykg.server.app.routes` mounts their routes.

- :mod:`.home`: the home page (what the build holds, the query editor, the downloads), the
  search, the review and the build's files;
- :mod:`.entity`: the linked-data pages, ``/id/...`` and ``/ontology``, as HTML or RDF;
- :mod:`.pictures`: the map, the timeline and an entity's neighbourhood graph.

A page imports what pages share (:mod:`policykg.server.render`, :mod:`policykg.server.state`)
and the query machinery (pool, worker, conneg), never the application that mounts it; the
entity page also draws the neighbourhood picture of :mod:`.pictures` (which imports no page).
"""
