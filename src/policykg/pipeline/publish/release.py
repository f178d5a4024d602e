"""The release store: the builds of an output folder, swapped in atomically, kept, rolled back.

Pipeline position: the last step of the publish stage (:mod:`policykg.pipeline.publish` writes a build's
files into a folder this module hands it, then this module swaps the folder in)::

    ... -> gate + quality -> review -> **publish** (serialize, release) -> serve / query / ...

Doors: :func:`latest_good`, :func:`history`, :func:`rollback`, :func:`lock`;
:func:`resolve_out_dir` and :func:`check_out_dir` (may a build go there?); for
:func:`policykg.pipeline.publish.publish`, :func:`new_folder` and :func:`swap_in`; for readers of a
build, :func:`store_path` and :func:`open_store` (its persistent store, opened read-only).

A build is *complete* when it holds every required file (:data:`REQUIRED_FILES`) and each
matches ``SHA256SUMS``; its *id* is the first 12 hex digits of the SHA-256 of its
``SHA256SUMS`` without the lines of ``store/``, so of all its other bytes.

The store is the one part whose bytes differ from one build of the same graphs to the next:
RocksDB writes a random database id, session ids and times into its files. So the id leaves it
out (two builds of the same graphs have one id, and the second changes nothing), while
``SHA256SUMS`` still lists each of its files: a store file changed or truncated after
publication makes the build incomplete, like any other file. Opening the store read-only
changes none of its files (no byte, no time stamp, no new file; ``tests/test_store.py``), so
the digests hold for as long as the build is kept. A reader uses the store only when its record
names the digest ``SHA256SUMS`` lists for ``policykg.nq``; otherwise (a build of an older
policykg, without a store, or N-Quads replaced by hand) it reads ``policykg.nq``, with the same
answers.

The folders, for ``out_dir`` = ``dist``::

    dist/                                the current build: what is published and served
    dist.history/000007-9f3c2a1b7e4d/    the builds published before it (up to ``keep``, 5 by
    dist.history/000006-1a2b3c4d5e6f/      default), each named <number>-<id>; the highest
    dist.prev -> dist.history/000007-... number left ``dist`` last: ``dist.prev`` links to it
    .dist.lock                           held by whoever writes any of these (:func:`lock`)

Promises, each kept if the process is killed at any instant (SIGKILL included):

* **Atomic.** :func:`policykg.pipeline.publish.publish` writes every file, the store's too, into a hidden
  folder beside ``dist`` (``.dist.tmp-*``, :func:`new_folder`), fsyncs it, and only then
  :func:`swap_in` swaps it in with one
  ``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere two renames, with an instant where
  ``dist`` is missing and :func:`latest_good` answers from the history). A reader finds
  ``dist`` as it was or as the new build, never half written.
* **One writer.** A publish and :func:`rollback` hold :func:`lock`, an exclusive
  ``flock`` of ``.dist.lock``; :func:`policykg.pipeline.build.build` holds it for the whole build. The
  kernel releases it when its process dies, however it dies: a killed writer never blocks the
  next.
* **Never what policykg did not write.** A publish or rollback replaces ``dist`` only when it
  is missing, empty or an intact build (every file listed in ``SHA256SUMS`` and matching it):
  a folder with a user's files, a subfolder, or a build edited by hand is refused
  (:func:`check_out_dir`), never deleted. ``dist`` given as a symbolic link is the folder it
  points to; a linked ``dist.history`` and a linked or special ``.dist.lock`` are refused.
* **Nothing lost.** The build a publish replaces moves into ``dist.history`` (the swap puts it
  at ``.dist.swap-<number>-<id>``, named after its id, then a rename files it: whatever is
  found under such a name after a kill is filed if it is that build, else it was a new build
  that never went in, and is removed). Only then are the oldest builds beyond ``keep``
  removed. A publish whose files equal the current build's changes nothing.
* **Self-healing.** Each publish and rollback starts (under the lock) by finishing what a
  killed one left: hidden ``.dist.tmp-*``, ``.dist.trash-*`` and ``dist.history/.trash-*``
  folders are removed, a build left at ``.dist.swap-*`` is filed, a history folder whose
  name does not match its id is renamed, ``dist.prev`` is pointed at the newest history
  folder (a ``dist.prev`` folder of an older policykg is moved into the history). Hidden names
  are never builds: :func:`latest_good` and :func:`history` ignore them.

:func:`rollback` makes the newest build of the history current again and files the build it
replaces as the newest: so ``rollback`` twice is back where it started, like ``kubectl rollout
undo``; ``rollback(to=ID)`` goes back to any kept build. Same swap, same lock, same promises.
:func:`latest_good` is the newest complete build (``dist``, else the history newest first),
which is what ``policykg serve`` serves.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import EnvironmentProblem, InputError, PolicykgError
from ...names import DCT, ID, VOID

if TYPE_CHECKING:
    import pyoxigraph

log = logging.getLogger("policykg.pipeline.publish.release")

#: How many builds published before the current one ``<out_dir>.history`` keeps by default.
KEEP = 5

CHECKSUMS = "SHA256SUMS"
#: The folder of a build holding its persistent store (optional: older builds have none).
STORE = "store"
#: The store's record of what it holds, inside :data:`STORE`: the digest of its N-Quads.
STORE_RECORD = "policykg-store.json"
#: The files every build has (``void.ttl`` is optional); ``SHA256SUMS`` lists their digests.
REQUIRED_FILES = ("policykg.ttl", "policykg.nt", "policykg.trig", "policykg.nq",
                  "policykg.jsonld", "context.jsonld", "policykg.owl", "shacl-report.ttl",
                  "build-report.md", "gate.txt")


@dataclass(frozen=True)
class BuildRecord:
    """One published build: the current one (``number`` is ``None``) or one of the history.

    ``id``: see the module docstring (``None`` when the folder has no ``SHA256SUMS``);
    ``number``: the history's order, the highest left the current folder last; ``complete``:
    every required file is there and matches ``SHA256SUMS``. ``built`` (the end of the build,
    ``dct:modified``), ``sources`` and ``data_triples`` come from its ``void.ttl``, if any.
    """

    id: str | None
    path: Path
    number: int | None
    complete: bool
    built: str | None = None
    sources: int | None = None
    data_triples: int | None = None


@dataclass(frozen=True)
class BuildHistory:
    """The builds of an output folder: ``current`` (``None`` when there is none) and
    ``previous``, newest first: ``previous[0]`` is what :func:`rollback` goes back to."""

    out_dir: Path
    current: BuildRecord | None
    previous: tuple[BuildRecord, ...]


@dataclass(frozen=True)
class RollbackResult:
    """What :func:`rollback` did: ``current`` is the build ``out_dir`` holds now; ``replaced``
    the one it held before, now the newest of the history (``None`` if it was incomplete, and
    so dropped)."""

    out_dir: Path
    current: BuildRecord
    replaced: BuildRecord | None


# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (a build's N-Quads and store hold hundreds of MB)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def store_path(build: Path) -> Path | None:
    """The persistent store of the build folder ``build`` (``build/store``), when it holds the
    build's ``policykg.nq``: its record :data:`STORE_RECORD` is the one ``SHA256SUMS`` lists
    and names the digest ``SHA256SUMS`` lists for ``policykg.nq``. ``None`` otherwise — a build
    of an older policykg, or one whose N-Quads were replaced — and readers parse the N-Quads.

    Reads ``SHA256SUMS`` and the record only; the store's other files are checked against
    their digests where every file is (:func:`latest_good`, :func:`history`).
    """
    folder = Path(build) / STORE
    record = folder / STORE_RECORD
    try:
        listed = _listed(Path(build))
        named = json.loads(record.read_text(encoding="utf-8"))
        holds = (isinstance(named, dict) and named.get("sha256") == listed.get("policykg.nq")
                 and listed.get(f"{STORE}/{STORE_RECORD}") == _sha256(record))
    except (OSError, ValueError):
        return None
    return folder if holds else None


def open_store(build: Path, *, pin: bool = True) -> pyoxigraph.Store | None:
    """The persistent store of the build folder ``build`` (:func:`store_path`), opened
    read-only; ``None`` when the build has none, or when it cannot be opened (written by an
    incompatible pyoxigraph, damaged): the caller then reads ``policykg.nq``, the same quads.

    With ``pin``, opened through ``/proc/self/fd/N``, a descriptor of the store's folder that
    stays open as long as the process runs (on Linux; elsewhere through the folder's path):
    RocksDB opens some of its files by name only when a query first reads them, and through
    the descriptor those are always this folder's, even after a publish or rollback has
    swapped another build in at its path. (The server's workers open a private copy, which
    nothing replaces: they need no pin.) Opening and querying the store read-only writes
    nothing in it.
    """
    import pyoxigraph as ox

    folder = store_path(build)
    if folder is None:
        return None
    fd, pinned = -1, str(folder)
    if pin:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return None
        pinned = f"/proc/self/fd/{fd}"
        if not os.path.isdir(pinned):  # no /proc: the folder's own path
            os.close(fd)
            fd, pinned = -1, str(folder)
    try:
        return ox.Store.read_only(pinned)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("cannot open the store of %s (%s); reading its N-Quads instead", build, exc)
        if fd >= 0:
            os.close(fd)
        return None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def _prev(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".prev")


def _history_dir(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".history")


def _hidden(out_dir: Path, kind: str) -> Path:
    """A fresh hidden name beside ``out_dir``: ``.<name>.<kind>-<random>``."""
    return out_dir.with_name(f".{out_dir.name}.{kind}-{uuid.uuid4().hex[:12]}")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the system or the file system cannot, so the caller falls back to
    renames.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # pragma: no cover - glibc older than 2.28, musl
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # pragma: no cover
        return False
    raise OSError(err, os.strerror(err), str(b))


def checksums(folder: Path, names: Iterable[str]) -> bytes:
    """The ``SHA256SUMS`` of the files ``names`` of ``folder`` (``sha256sum``'s format, sorted)."""
    return checksum_lines({name: _sha256(folder / name) for name in names})


def checksum_lines(digests: dict[str, str]) -> bytes:
    """``SHA256SUMS`` of files whose digests are known (name -> SHA-256): ``sha256sum``'s format,
    sorted by name."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests)).encode("ascii")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    return _sha256(path)


def _listed(folder: Path) -> dict[str, str]:
    """Name -> digest, as ``folder/SHA256SUMS`` lists them (``OSError`` when it cannot be read)."""
    listed = {}
    for line in (folder / CHECKSUMS).read_text(encoding="ascii", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    return listed


def resolve_out_dir(out_dir: str | Path) -> Path:
    """The build folder ``out_dir`` names, as an absolute path without symbolic links.

    ``dist`` that is a symbolic link to a folder is that folder (so its history and lock lie
    beside the folder, where every later command finds them); ``.`` or ``a/..`` is the folder
    they name. Refused (:class:`InputError`): an empty name, the root folder, a link to
    nothing.
    """
    if not str(out_dir).strip():
        raise InputError("the build folder's name is empty", hint="name a folder, e.g. --out dist")
    path = Path(os.path.abspath(out_dir))
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise InputError(f"the build folder is a symbolic link to {target}, which does not exist",
                             path=path, hint="remove the link or create the folder it points to")
        path = target
    else:
        path = Path(os.path.realpath(path.parent)) / path.name
    if path.parent == path:
        raise InputError("the root folder cannot be a build folder", path=path)
    return path


def _not_a_build(out_dir: Path) -> str | None:
    """Why ``out_dir`` (an existing folder) must not be replaced by a build, or ``None``.

    Replaceable: an empty folder, or a build whose files are all listed in its ``SHA256SUMS``
    and match it. Anything else holds something policykg did not write (a user's files, a
    subfolder) or a build edited since it was published; replacing it would lose that.
    """
    try:
        names = sorted(entry.name for entry in os.scandir(out_dir))
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if not names:
        return None
    sums = out_dir / CHECKSUMS
    if CHECKSUMS not in names or sums.is_symlink() or not sums.is_file():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return (f"it is not a policykg build (no {CHECKSUMS}) and not empty: it holds {shown}")
    listed = _listed(out_dir)
    folders = {name.split("/", 1)[0] for name in listed if "/" in name}
    foreign = [n for n in names if n != CHECKSUMS and n not in listed and n not in folders]
    foreign += [n for n in names if n in listed and ((out_dir / n).is_symlink() or not (out_dir / n).is_file())]
    for folder in sorted(folders & set(names)):  # every file in it must be listed
        base = out_dir / folder
        if base.is_symlink() or not base.is_dir():
            foreign.append(folder)
            continue
        for root, dirs, files in os.walk(base):
            for name in dirs + files:
                rel = os.path.relpath(os.path.join(root, name), out_dir)
                if name in files and rel not in listed:
                    foreign.append(rel)
    if foreign:
        shown = ", ".join(sorted(set(foreign))[:5])
        return f"it holds files that are not part of its build: {shown}"
    changed = [n for n, digest in sorted(listed.items())
               if not (out_dir / n).is_file() or _sha256(out_dir / n) != digest]
    if changed:
        return (f"its build was changed after it was published ({', '.join(changed[:5])} "
                f"{'does' if len(changed) == 1 else 'do'} not match {CHECKSUMS})")
    if not set(REQUIRED_FILES) <= set(listed):
        return "it is not a complete policykg build"
    return None


def check_out_dir(out_dir: Path) -> None:
    """Refuse (:class:`InputError`) to publish into ``out_dir`` when that could lose anything.

    ``out_dir`` must be missing, an empty folder or an intact build (see :func:`_not_a_build`);
    ``<out_dir>.history`` a real folder or missing; ``<out_dir>.prev`` a link or missing.
    """
    history = _history_dir(out_dir)
    if history.is_symlink():
        raise InputError("the history of builds is a symbolic link: policykg keeps it in a "
                         "real folder beside the build folder", path=history,
                         hint="remove the link, or move the folder it points to here")
    for path in (out_dir, history):
        if path.exists() and not path.is_dir():
            raise InputError("a build folder is expected here, but it is a file", path=path,
                             hint="remove it or publish to another folder")
    if out_dir.is_dir():
        why = _not_a_build(out_dir)
        if why is not None:
            raise InputError(f"will not replace this folder: {why}", path=out_dir,
                             hint="policykg replaces only its own, intact builds; choose another "
                                  "--out, or move the folder away")


def _complete(folder: Path) -> bool:
    """True when ``folder`` holds a whole build whose files match their ``SHA256SUMS``."""
    if not (folder / CHECKSUMS).is_file():
        return False
    listed = _listed(folder)
    if not set(REQUIRED_FILES) <= set(listed):
        return False
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            return False
    return True


_ID_LENGTH = 12
_ENTRY = re.compile(r"(\d+)-([0-9a-f]{12})")


def _build_id(folder: Path) -> str | None:
    """The build's id: the start of the SHA-256 of its ``SHA256SUMS`` without the lines of the
    store's files, whose bytes differ from one build of the same graphs to the next (see the
    module docstring); ``None`` without ``SHA256SUMS``. For a build without a store, that is
    the SHA-256 of the whole file, as policykg has always named builds."""
    try:
        sums = (folder / CHECKSUMS).read_bytes()
    except OSError:
        return None
    mark = f"  {STORE}/".encode()  # after the 64 hex digits of the digest
    kept = b"".join(line for line in sums.splitlines(keepends=True) if not line[64:].startswith(mark))
    return hashlib.sha256(kept).hexdigest()[:_ID_LENGTH]


def _entry_name(number: int, build_id: str) -> str:
    return f"{number:06d}-{build_id}"


def _entries(out_dir: Path) -> list[tuple[int, str, Path]]:
    """The history's folders as (number, id, path), oldest first; hidden names are skipped."""
    folder = _history_dir(out_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _ENTRY.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink():
            found.append((int(match[1]), match[2], path))
    return sorted(found, key=lambda e: (e[0], e[1]))


def _next_number(out_dir: Path) -> int:
    entries = _entries(out_dir)
    return entries[-1][0] + 1 if entries else 1


def _remove(out_dir: Path, path: Path) -> None:
    """Remove a build folder of ``out_dir`` (current, kept or hidden) for good: renamed to a
    hidden trash name first, so that a kill in the middle never leaves a half-removed build
    under a name a reader takes for a build."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return
    history = _history_dir(out_dir)
    trash = (history / f".trash-{uuid.uuid4().hex[:12]}" if path.parent == history
             else _hidden(out_dir, "trash"))
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def _file(out_dir: Path, folder: Path, number: int) -> None:
    """File the build in ``folder`` into the history as ``number`` (dropped when it has no id,
    or when the history already holds it)."""
    build_id = _build_id(folder)
    if build_id is None or any(i == build_id for _, i, _ in _entries(out_dir)):
        _remove(out_dir, folder)
        return
    history = _history_dir(out_dir)
    history.mkdir(exist_ok=True)
    os.rename(folder, history / _entry_name(number, build_id))
    _fsync_dir(history)


def _link_prev(out_dir: Path) -> None:
    """Point ``<out_dir>.prev`` at the newest folder of the history (remove it when none)."""
    prev = _prev(out_dir)
    entries = _entries(out_dir)
    if not entries:
        if prev.is_symlink():
            prev.unlink()
        return
    target = os.path.join(_history_dir(out_dir).name, entries[-1][2].name)
    if prev.is_symlink() and os.readlink(prev) == target:
        return
    if prev.exists() and not prev.is_symlink():  # a file or folder of someone else: left alone
        return
    link = _hidden(out_dir, "prev.tmp")
    try:
        os.symlink(target, link)
        os.replace(link, prev)
    except OSError as exc:  # pragma: no cover - a file system without symbolic links
        log.warning("cannot link %s to the previous build: %s", prev, exc.strerror or exc)
        if link.is_symlink():
            link.unlink()


#: Hidden folders beside ``out_dir`` that only a killed publish or rollback leaves (the last
#: two of older policykg versions).
_LEFTOVERS = ("tmp-", "trash-", "prev.tmp-", "prev.old-", "rollback-")


def _recover(out_dir: Path) -> None:
    """Finish or undo what a killed publish or rollback left (the module docstring's
    "Self-healing"); idempotent. The caller holds :func:`lock`."""
    parent, name = out_dir.parent, out_dir.name
    if not parent.is_dir():
        return
    for path in sorted(parent.iterdir()):
        if not path.name.startswith(f".{name}."):
            continue
        kind = path.name[len(name) + 2:]
        if kind.startswith("swap-"):
            # A build the swap took out of ``out_dir``: its id is in the name. Anything else
            # found under that name is a new build that was never swapped in.
            number, _, build_id = kind[len("swap-"):].partition("-")
            if number.isdigit() and _build_id(path) == build_id:
                _file(out_dir, path, int(number))
            else:
                _remove(out_dir, path)
        elif kind.startswith(_LEFTOVERS):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    history = _history_dir(out_dir)
    if history.is_dir():
        for path in sorted(history.iterdir()):
            if path.name.startswith((".trash-", ".tmp-")):
                shutil.rmtree(path, ignore_errors=True)
        for number, build_id, path in _entries(out_dir):
            actual = _build_id(path)  # a rollback killed right after its swap
            if actual is not None and actual != build_id:
                renamed = history / _entry_name(number, actual)
                if renamed.exists():
                    _remove(out_dir, path)
                else:
                    os.rename(path, renamed)
    legacy = _prev(out_dir)
    if legacy.is_dir() and not legacy.is_symlink() and _not_a_build(legacy) is None \
            and any(os.scandir(legacy)):  # left by a policykg that kept one build
        _file(out_dir, legacy, _next_number(out_dir))
    _link_prev(out_dir)
    _fsync_dir(parent)


def _prune(out_dir: Path, keep: int) -> None:
    """Remove the oldest builds of the history beyond the newest ``keep``."""
    entries = _entries(out_dir)
    for _, _, path in entries[:max(0, len(entries) - keep)]:
        _remove(out_dir, path)
    if entries:
        _fsync_dir(_history_dir(out_dir))


def _replace_folder(incoming: Path, out_dir: Path, parked: Path) -> Path:
    """Make the build at ``incoming`` the folder ``out_dir``: the one swap of a publish and of a
    rollback. Returns where the build ``out_dir`` held is now: at ``incoming`` when the system
    exchanged the two in one atomic step (:func:`_exchange`), else at ``parked``, after two
    renames; if the second fails, the first is undone and the error raised."""
    if _exchange(incoming, out_dir):
        return incoming
    # Two renames: for an instant there is no ``out_dir`` (latest_good() then answers from the
    # history, where the old build already is when it is kept).
    parked.parent.mkdir(exist_ok=True)
    os.rename(out_dir, parked)
    try:
        os.rename(incoming, out_dir)
    except OSError:
        os.rename(parked, out_dir)
        raise
    return parked


#: The kind of hidden folder in which a build's persistent store is begun before the build is
#: gated (:mod:`policykg.pipeline.publish.store`): one :func:`_recover` removes (a killed build's).
WORK = "trash-store"


def new_folder(out_dir: Path, *, recover: bool = True, kind: str = "tmp") -> Path:
    """A fresh hidden folder beside ``out_dir`` (``.<name>.tmp-*``) to write a build into, for
    :func:`swap_in`; first checked again (:func:`check_out_dir`: what another process left) and
    what a killed publish or rollback left finished (:func:`_recover`; not with ``recover=False``,
    when the caller did it already under the same lock and has a folder of :data:`WORK` it
    keeps). ``kind``: :data:`WORK` for the folder of a store begun early. The caller holds
    :func:`lock`, and removes the folder if it fails before :func:`swap_in`."""
    check_out_dir(out_dir)
    if recover:
        _recover(out_dir)
    folder = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{kind}-", dir=out_dir.parent))
    os.chmod(folder, 0o755)  # mkdtemp makes it private; a server may run as another user
    return folder


def swap_in(new: Path, out_dir: Path, keep: int = KEEP) -> tuple[str, Path | None]:
    """Make ``new`` (a complete build, written into :func:`new_folder`) the folder ``out_dir``,
    once fsynced; the build it replaces goes into the history, which keeps the newest ``keep``.
    Returns the new build's id and the newest folder of the history. The caller holds
    :func:`lock`.

    Until the swap, a failure leaves every path as it was (``new`` aside) and is raised; after
    it the new build is published, and what is left to do is done by :func:`_recover`, now or
    (if this process is killed) by the next publish or rollback.
    """
    parent = out_dir.parent
    _fsync_dir(new)
    new_id = _build_id(new)
    old_id = _build_id(out_dir) if out_dir.is_dir() and _complete(out_dir) else None
    if out_dir.is_dir() and not any(os.scandir(out_dir)):
        os.rmdir(out_dir)  # an empty folder: nothing to keep
    if not out_dir.exists():
        os.rename(new, out_dir)
    elif old_id == new_id:  # the same bytes: nothing to swap
        shutil.rmtree(new, ignore_errors=True)
    else:
        number = _next_number(out_dir)
        swap = out_dir.with_name(f".{out_dir.name}.swap-{number:06d}-{old_id or 'none'}")
        parked = _history_dir(out_dir) / _entry_name(number, old_id) if old_id else _hidden(out_dir, "trash")
        os.rename(new, swap)
        try:
            _replace_folder(swap, out_dir, parked)  # exchanged: _recover() files the old build below
        except BaseException:
            if _build_id(swap) == new_id:  # not swapped in: back where the caller removes it
                os.rename(swap, new)
            raise
    _fsync_dir(parent)
    try:
        _recover(out_dir)  # files the old build (at ``swap``), points ``.prev`` at it
        for _, build_id, path in _entries(out_dir):
            if build_id == new_id:  # an older copy of the build now current
                _remove(out_dir, path)
        _prune(out_dir, keep)
        _link_prev(out_dir)
    except OSError as exc:
        log.warning("the build is published, but tidying the history failed (the next "
                    "publish finishes it): %s", exc)
    return new_id or "", _newest(out_dir)


def _newest(out_dir: Path) -> Path | None:
    entries = _entries(out_dir)
    return entries[-1][2] if entries else None


# --------------------------------------------------------------------------------------------
# The doors
# --------------------------------------------------------------------------------------------

#: Errors of the file system that the user's choice of folder causes (exit 2, not 3).
_USER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY, errno.EXDEV})


def problem(exc: OSError, doing: str, out_dir: Path, hint: str | None = None) -> PolicykgError:
    """The error to raise when the file system refused ``doing`` (``"cannot publish the
    build"``): a folder the user cannot write (or a mount point) is theirs to fix, an
    :class:`InputError` (exit 2); anything else an :class:`EnvironmentProblem` (exit 3)."""
    kind = InputError if exc.errno in _USER_ERRNOS else EnvironmentProblem
    return kind(f"{doing}: {exc.strerror or exc}", path=exc.filename or out_dir, hint=hint)

_HELD: dict[str, list[Any]] = {}  # lock file -> [RLock, depth, open handle]
_HELD_GUARD = threading.Lock()


def _open_lock(path: Path) -> Any:
    """Open (create) the lock file: never through a symbolic link, never anything but a
    regular file; a folder that cannot be written is the user's to fix (:class:`InputError`)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("the lock file is a symbolic link: policykg will not follow it",
                             path=path, hint="remove the link") from None
        raise InputError(f"cannot create the lock file beside the build folder: "
                         f"{exc.strerror or exc}", path=exc.filename or path,
                         hint="build into a folder you can write") from None
    import stat

    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError("the lock file is not a regular file", path=path, hint="remove it")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "r+")


@contextmanager
def lock(out_dir: Path) -> Iterator[None]:
    """Hold the lock of ``out_dir``: an exclusive ``flock`` of ``.<name>.lock`` beside it.

    One process at a time publishes, rolls back or builds into ``out_dir``; the others wait.
    The kernel releases the lock when its process ends, even by SIGKILL. Re-entrant within a
    thread, so that :func:`policykg.pipeline.build.build` can hold it around
    :func:`policykg.pipeline.publish.publish`.

    Raises:
        OSError: the lock file cannot be created (a read-only folder).
    """
    out_dir = resolve_out_dir(out_dir)
    path = out_dir.parent / f".{out_dir.name}.lock"
    key = str(path)
    with _HELD_GUARD:
        held = _HELD.setdefault(key, [threading.RLock(), 0, None])
    with held[0]:
        if held[1] == 0:
            handle = _open_lock(path)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except BaseException:
                handle.close()
                raise
            held[2] = handle
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
            if held[1] == 0:
                handle, held[2] = held[2], None
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


def latest_good(out_dir: Path) -> Path | None:
    """The newest complete build: ``out_dir``, else the history's builds newest first (else
    ``<out_dir>.prev`` when it is a folder, as an older policykg left it), else ``None``.

    A build is complete when it holds every required file and each matches the digest that
    ``SHA256SUMS`` records for it (so this reads every file once).
    """
    out_dir = resolve_out_dir(out_dir)
    candidates = [out_dir, *(path for _, _, path in reversed(_entries(out_dir)))]
    if not _prev(out_dir).is_symlink():
        candidates.append(_prev(out_dir))
    for candidate in candidates:
        if candidate.is_dir() and _complete(candidate):
            return candidate
    return None


def _void_facts(folder: Path) -> tuple[str | None, int | None, int | None]:
    """(built, sources, data triples) from the build's ``void.ttl``, where it says so."""
    path = folder / "void.ttl"
    if not path.is_file():
        return None, None, None
    import pyoxigraph as ox

    dataset = ox.NamedNode(ID + "dataset")
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError, ValueError):
        return None, None, None
    built = next((t.object.value for t in triples if t.subject == dataset
                  and t.predicate.value == DCT + "modified"), None)
    sources = sum(1 for t in triples if t.subject == dataset and t.predicate.value == DCT + "source")
    data = next((int(t.object.value) for t in triples
                 if t.subject == ox.NamedNode(ID + "dataset/graph/data")
                 and t.predicate.value == VOID + "triples"), None)
    return built, sources or None, data


def _record(path: Path, number: int | None) -> BuildRecord:
    return BuildRecord(_build_id(path), path, number, _complete(path), *_void_facts(path))


def history(out_dir: Path) -> BuildHistory:
    """The current build of ``out_dir`` and those of its history, newest first.

    Only reads: it takes no lock, so while a publish runs it may see either side of it.
    Reads every file of every build (to say which are complete).
    """
    out_dir = resolve_out_dir(out_dir)
    current = _record(out_dir, None) if out_dir.is_dir() else None
    previous = tuple(_record(path, number) for number, _, path in reversed(_entries(out_dir)))
    return BuildHistory(out_dir, current, previous)


def rollback(out_dir: Path, to: str | None = None) -> RollbackResult:
    """Make a build of the history the current one again, atomically.

    Without ``to``, the newest one: the build ``out_dir`` held before the last publish or
    rollback. With ``to``, the one whose id starts with it. The build it replaces becomes the
    newest of the history, so a second ``rollback()`` undoes the first. Holds :func:`lock`.

    Raises:
        InputError: there is no previous build; no build or more than one has the id ``to``;
            that build is incomplete.
        EnvironmentProblem: the folders cannot be renamed; then nothing has changed.
    """
    out_dir = resolve_out_dir(out_dir)
    check_out_dir(out_dir)
    history_dir = _history_dir(out_dir)
    none_hint = "a previous build exists only after a second publish"
    if not out_dir.exists() and not history_dir.exists() and not _prev(out_dir).is_dir():
        raise InputError("there is no previous build to roll back to", path=history_dir,
                         hint=none_hint)
    try:
        with lock(out_dir):
            check_out_dir(out_dir)
            _recover(out_dir)
            entries = _entries(out_dir)
            if not entries:
                raise InputError("there is no previous build to roll back to",
                                 path=history_dir, hint=none_hint)
            if to is None:
                number, target_id, target = entries[-1]
            else:
                wanted = to.strip().lower()
                matches = [e for e in entries if wanted and e[1].startswith(wanted)]
                if len(matches) != 1:
                    ids = ", ".join(i for _, i, _ in reversed(entries))
                    raise InputError(f"{'no' if not matches else 'more than one'} kept build "
                                     f"has the id {to!r}", path=history_dir,
                                     hint=f"the kept builds are {ids} (`policykg builds`)")
                number, target_id, target = matches[0]
            if not _complete(target):
                raise InputError(f"the build {target_id} is incomplete: its files do not "
                                 "match its SHA256SUMS", path=target,
                                 hint="roll back to another build (`policykg builds`)")
            current_id = _build_id(out_dir) if out_dir.is_dir() and _complete(out_dir) else None
            top = entries[-1][0] + 1
            # First make the target the newest of the history, so that a kill from here on
            # leaves it where the next rollback looks; the swap then puts the build it
            # replaces in its place, which _recover() renames after its id.
            slot = history_dir / _entry_name(top, target_id)
            os.rename(target, slot)
            _fsync_dir(history_dir)
            try:
                if not out_dir.exists():
                    os.rename(slot, out_dir)
                else:
                    parked = (history_dir / _entry_name(top + 1, current_id) if current_id
                              else _hidden(out_dir, "trash"))
                    if _replace_folder(slot, out_dir, parked) == slot and current_id is None:
                        _remove(out_dir, slot)  # exchanged: an incomplete build is not kept
            except OSError:
                if _build_id(slot) == target_id:  # not swapped in: back in its place
                    os.rename(slot, target)
                raise
            _fsync_dir(out_dir.parent)
            _recover(out_dir)
            replaced = _entries(out_dir)[-1] if current_id else None
            result = RollbackResult(
                out_dir, _record(out_dir, None),
                _record(replaced[2], replaced[0]) if replaced and replaced[1] == current_id
                else None)
    except OSError as exc:
        raise problem(exc, "cannot roll back", out_dir) from None
    return result


__all__ = ["CHECKSUMS", "KEEP", "REQUIRED_FILES", "STORE", "STORE_RECORD", "WORK", "BuildHistory", "BuildRecord",
           "RollbackResult", "check_out_dir", "checksum_lines", "checksums", "history", "latest_good", "lock",
           "new_folder", "open_store", "problem", "resolve_out_dir", "rollback", "sha256_of", "store_path",
           "swap_in"]
