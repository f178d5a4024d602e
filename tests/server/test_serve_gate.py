"""A build that fails the SHACL gate is never served: `policykg serve` keeps serving the last
good build and says so, or refuses to start when there is none."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from policykg.errors import InputError
from policykg.server import ServerConfig
from policykg.server.run import prepare

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"


def _broken(tmp_path: Path) -> Path:
    """The seed, giving its notice a second, different trial period: a shape breaks."""
    bad = tmp_path / "broken.md"
    bad.write_text(SEED.read_text(encoding="utf-8").replace(
        "on August 14, with a trial period of three years.",
        "on August 14, with a trial period of three years. The notice runs a trial period of two years, "
        "counted from 1 March 2021."), encoding="utf-8")
    return bad


def _digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())).hexdigest()


def test_the_last_good_build_is_served_when_the_newest_fails(tmp_path: Path) -> None:
    config = ServerConfig(dist=tmp_path / "dist")
    first, good = prepare(config, [SEED], build_first=True)
    assert first.gate_failed_report is None and good == config.dist
    before = _digest(good)
    again, served = prepare(config, [_broken(tmp_path)], build_first=True)
    assert served == config.dist and _digest(served) == before  # the seed's build, untouched
    assert again.gate_failed_report is not None
    assert "A document has at most one pol:trialStart" in again.gate_failed_report


def test_with_no_good_build_serve_refuses(tmp_path: Path) -> None:
    config = ServerConfig(dist=tmp_path / "dist")
    with pytest.raises(InputError, match="no published build to serve"):
        prepare(config, [_broken(tmp_path)], build_first=True)
    proc = subprocess.run([sys.executable, "-m", "policykg", "serve", str(_broken(tmp_path)),
                           "--dist", str(tmp_path / "dist2"), "--port", "9"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    assert "no published build to serve" in proc.stderr
    assert "A document has at most one pol:trialStart" in proc.stderr  # the gate's report, to fix the input
    assert "Traceback" not in proc.stderr
