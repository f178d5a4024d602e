"""Test helper: a folder's files, folders and links with their digests, to show that nothing
changed (tests/test_careless_folders.py, tests/test_hostile_documents.py)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree(folder: Path) -> dict[str, str]:
    """Every file and link under ``folder`` (itself included when a link), with its digest."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = "dir"
    return out


__all__ = ["tree"]
