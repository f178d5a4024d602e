"""``policykg serve``: build (unless told not to), pass the gate, serve the last good build.

Door: :func:`serve`. A build that fails the SHACL gate is never served: the server keeps
serving the last good build and says so in its log and on its home page; with no good build at
all it refuses to start, with the gate's report.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import ExitCode, InputError, PolicykgError
from .app import ServerConfig, create_app

log = logging.getLogger("policykg.server")


def prepare(config: ServerConfig, sources: Sequence[Path] | None, *, build_first: bool) -> tuple[ServerConfig, Path]:
    """Build when asked, then find the build to serve. Raises when there is none."""
    from ..publish import latest_good

    if build_first:
        from ..build import build

        try:
            result = build(sources or None, config.dist)
        except PolicykgError as exc:
            log.error("the build failed: %s", exc)
            config = replace(config, gate_failed_report=f"The newest build failed: {exc}")
        else:
            if not result.published:
                log.error("the newest build failed the SHACL gate; it is not served:\n%s", result.report.to_text())
                config = replace(config, gate_failed_report=result.report.to_text())
    good = latest_good(config.dist)
    if good is None:
        raise InputError("no published build to serve (none has passed the SHACL gate)", path=config.dist,
                         hint="run `policykg build` and fix what the gate reports")
    if config.gate_failed_report:
        log.warning("serving the last good build %s", good)
    return config, good


def serve(config: ServerConfig, sources: Sequence[Path] | None = None, *, build_first: bool = True) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config, good = prepare(config, sources, build_first=build_first)
    except PolicykgError as exc:
        print(f"policykg: error: {exc}", file=sys.stderr)
        if config.gate_failed_report:
            print(config.gate_failed_report, file=sys.stderr)
        return int(ExitCode.VALIDATION_FAILED if build_first else exc.exit_code)
    app = create_app(config, good)
    log.info("serving %s on http://%s:%d/ (SPARQL at /sparql)", good, config.host, config.port)
    uvicorn.run(app, host=config.host, port=config.port, log_level="info", timeout_keep_alive=5,
                access_log=False, server_header=False)
    return int(ExitCode.OK)


__all__ = ["prepare", "serve"]
