"""Careless folders: ``policykg build`` and ``rollback`` never delete what policykg did not write.

Each case is a folder a user could point ``--out`` (or ``--dist``) at by mistake, run through the
real command: the exit code, the message (file and reason, no traceback), and every file of the
user's folder and of the last good build byte-identical afterwards.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from folders import tree

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, stdin=subprocess.DEVNULL)


def refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    for word in words:
        assert word in proc.stderr, proc.stderr


def test_a_folder_of_the_users_files_is_refused_and_kept(tmp_path: Path) -> None:
    mine = tmp_path / "o"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"four years of work")
    (mine / "notes").mkdir()
    (mine / "notes" / "a.txt").write_text("x")
    before = tree(tmp_path)
    proc = run("build", str(SEED), "--out", str(mine))
    refused(proc, str(mine), "not a policykg build", "thesis.docx")
    assert tree(tmp_path) == before  # not a file added (no lock, no history), none removed


def test_the_current_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "essay.md").write_text("mine")
    before = tree(tmp_path)
    refused(run("build", str(SEED), "--out", ".", cwd=tmp_path), "not a policykg build", "essay.md")
    refused(run("build", str(SEED), "--out", "sub/..", cwd=tmp_path), "not a policykg build")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("args, words", [
    (("--out", ""), ("--out", "empty")),
    (("--out", "   "), ("--out", "empty")),
    (("--keep", "-1"), ("--keep", "0 or more")),
    (("--keep", "many"), ("--keep", "not a whole number")),
])
def test_bad_arguments_are_usage_errors(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    proc = run("build", str(SEED), *args, cwd=tmp_path)
    refused(proc, *words)
    assert list(tmp_path.iterdir()) == []  # no "..lock", nothing


def test_a_build_with_a_foreign_file_or_an_edited_file_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert run("build", str(SEED), "--out", str(out)).returncode == 0
    (out / "my-notes.txt").write_text("mine")
    before = tree(tmp_path)
    refused(run("build", str(SEED), "--out", str(out)), "not part of its build", "my-notes.txt")
    assert tree(tmp_path) == before
    (out / "my-notes.txt").unlink()
    with (out / "gate.txt").open("a") as handle:
        handle.write("checked by hand\n")
    before = tree(tmp_path)
    refused(run("build", str(SEED), "--out", str(out)), "changed after it was published", "gate.txt")
    refused(run("rollback", "--dist", str(out)), "changed after it was published")
    assert tree(tmp_path) == before


def test_an_empty_folder_becomes_a_build(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    assert run("build", str(SEED), "--out", str(out)).returncode == 0
    assert (out / "SHA256SUMS").is_file()


def test_a_linked_build_folder_is_the_folder_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real"
    link = tmp_path / "dist"
    assert run("build", str(SEED), "--out", str(real)).returncode == 0
    link.symlink_to(real)
    first = tree(real)
    proc = run("build", str(SEED), "--out", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and link.resolve() == real  # the link is kept, pointing at the build
    kept = list((tmp_path / "real.history").iterdir())
    assert len(kept) == 1 and tree(kept[0]) == first  # the history lies beside the real folder
    proc = run("rollback", "--dist", str(link))
    assert proc.returncode == 0, proc.stderr
    assert tree(real) == first
    assert not (tmp_path / "dist.history").exists()


def test_a_link_to_nothing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dist").symlink_to(tmp_path / "gone")
    refused(run("build", str(SEED), "--out", str(tmp_path / "dist")), "does not exist")
    assert not (tmp_path / "gone").exists()


def test_a_linked_history_or_lock_is_refused_and_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (tmp_path / "dist.history").symlink_to(elsewhere)
    before = tree(tmp_path)
    refused(run("build", str(SEED), "--out", str(tmp_path / "dist")), "history", "symbolic link")
    assert tree(tmp_path) == before
    (tmp_path / "dist.history").unlink()
    (tmp_path / ".dist.lock").symlink_to(tmp_path / "victim")
    refused(run("build", str(SEED), "--out", str(tmp_path / "dist")), ".dist.lock", "symbolic link")
    assert not (tmp_path / "victim").exists()
    assert not (tmp_path / "dist").exists()


def test_an_unwritable_parent_is_a_usage_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere: a read-only bind of the folder instead
        ro = tmp_path / "ro"
        ro.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(ro)],
                                 capture_output=True)
        if mounted.returncode != 0:
            pytest.skip("cannot mount a read-only file system here")
        try:
            refused(run("build", str(SEED), "--out", str(ro / "dist")), "Read-only file system")
        finally:
            subprocess.run(["umount", str(ro)], check=True)
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        refused(run("build", str(SEED), "--out", str(ro / "dist")), "Permission denied")
