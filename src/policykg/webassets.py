"""The front-end files policykg's web UI serves itself: the YASGUI query editor.

The SPARQL endpoint's page at ``/`` uses YASGUI (``@zazuko/yasgui``) as its query editor. The
machines that run policykg have no internet, so the page never loads it from a CDN: the npm
package is pinned in ``web/package.json`` / ``web/package-lock.json`` and ``make install`` runs
``npm ci --prefix web --no-audit --no-fund`` (when ``npm`` is there), which puts it under
``web/node_modules/``. policykg's server then serves the two built files named in `ASSETS` from
`assets_dir()`.

The bundle is self-contained (CodeMirror, DataTables and the icons are inside; the CSS loads no
fonts), but YASGUI's defaults reach out to the internet; the page must configure it so it does
not (see ``tests/browser/test_yasgui_assets.py`` for a working configuration):

- ``requestConfig.endpoint``: the default is ``https://dbpedia.org/sparql``; set our endpoint.
- ``endpointCatalogueOptions.getData``: the default suggests DBpedia and Wikidata; list ours.
- the ``class`` and ``property`` autocompleters query ``lov.linkeddata.es`` while typing; drop
  them from ``Yasgui.Yasqe.defaults.autocompleters`` *before* creating YASGUI (a
  ``yasqe.autocompleters`` list in the config is merged index by index with the default list,
  so it cannot remove entries).
- ``yasqe.prefixCcApi`` must stay ``null`` (the default): the ``prefixes`` autocompleter then
  uses the prefix list bundled in the JS instead of asking prefix.cc.
- ``corsProxy`` must stay unset (with one, YASGUI sends probe ``ASK`` queries to each endpoint).
- ``persistenceId: null`` keeps tabs (and a stale endpoint) out of ``localStorage``;
  ``copyEndpointOnNewTab: false`` makes new tabs use ``requestConfig.endpoint``;
  ``populateFromUrl: false`` keeps ``?endpoint=`` links from pointing the page elsewhere.

Links to docs.triply.cc in YASR's help icons are plain hyperlinks, fetched only when clicked.
The ``//# sourceMappingURL=yasgui.min.js.map`` comment is only read by developer tools.
"""
from __future__ import annotations

from pathlib import Path

from policykg.resources import data_root

# The package directory inside web/node_modules, and its built, self-contained files.
YASGUI_PACKAGE = Path("web") / "node_modules" / "@zazuko" / "yasgui"

# File name (as served, and as found in assets_dir()) -> Content-Type.
ASSETS: dict[str, str] = {
    "yasgui.min.js": "application/javascript",
    "yasgui.min.css": "text/css",
}


def assets_dir() -> Path | None:
    """The folder holding the files named in `ASSETS`, or None when YASGUI is not installed.

    That is ``<repo>/web/node_modules/@zazuko/yasgui/build``, filled by ``make install``
    (``npm ci --prefix web``). A wheel carries no copy, so an installed policykg without the
    source tree has no query editor and gets None.
    """
    try:
        root = data_root()
    except FileNotFoundError:
        return None
    build = root / YASGUI_PACKAGE / "build"
    if all((build / name).is_file() for name in ASSETS):
        return build
    return None
