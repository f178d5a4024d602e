"""``policykg serve``: a read-only SPARQL 1.1 endpoint, linked-data pages and a query UI over
a published build. See :mod:`policykg.server.app` for the door and the safety defaults."""
from .app import create_app
from .state import AppState, ServerConfig

__all__ = ["AppState", "ServerConfig", "create_app"]
