"""Linked-data pages, the home page and the web UI: the routes of :mod:`ld` and :mod:`ui`,
and the template environment they share (``templates/base.html.j2`` is the frame)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = Path(__file__).parent


@cache
def templates() -> Jinja2Templates:
    """The server's Jinja2 templates, autoescaped (Starlette's default autoescapes by file
    extension and does not count ``.html.j2``)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
    return Jinja2Templates(env=env)


def routes() -> list[BaseRoute]:
    from . import ld, ui

    return [*ui.routes(), *ld.routes(), Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]


__all__ = ["routes", "templates"]
