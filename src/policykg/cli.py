"""The ``policykg`` command: a thin layer that parses arguments and calls the library.

Each subcommand imports what it needs when it runs, so ``policykg --help`` stays instant.
Exit codes (:class:`policykg.errors.ExitCode`): 0 ok, 1 validation failed, 2 bad input or
usage, 3 internal error. A build's code is decided before its report is printed, and a report
that cannot be printed (a full disk, a closed pipe) leaves it as it is; a character the
terminal's encoding lacks is written escaped (docs/operations.md, "Exit codes").
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import ExitCode, PolicykgError
from .names import BASE


def _count(text: str) -> int:
    """An argument that is a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _folder(text: str) -> str:
    """An argument that names a folder: not empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder's name is empty")
    return text


def _cmd_validate(args: argparse.Namespace) -> int:
    from .pipeline import gate
    from .rdfio import read_graph

    shapes = read_graph(args.shapes) if args.shapes else None
    worst = ExitCode.OK
    for path in args.files:
        report = gate.validate(read_graph(path), shapes=shapes, inference=args.inference)
        if args.format == "turtle":
            sys.stdout.write(report.graph.serialize(format="turtle"))
        else:
            sys.stdout.write(f"{path}: " + report.to_text())
        if not report.passed:
            worst = ExitCode.VALIDATION_FAILED
    return worst


def _cmd_build(args: argparse.Namespace) -> int:
    if args.time_limit and args.time_limit > 0:
        return _in_child(_build_and_report, args, args.time_limit,
                         f"nothing was published, {args.out} left as it was")
    return _build_and_report(args)


def _in_child(func: Callable[[argparse.Namespace], int], args: argparse.Namespace, seconds: float,
              consequence: str) -> int:
    """Run ``func(args)`` in a forked child and SIGKILL it if it runs past ``seconds``.

    A time limit that holds whatever the child is doing: a SPARQL evaluation or an OWL 2 RL
    round inside pyoxigraph never returns to Python to see a signal, but a killed build leaves
    nothing behind (the output is swapped in atomically at the very end, and the kernel drops
    its lock), which tests/test_nothing_lost.py shows.
    """
    import signal
    import time

    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: run, then leave without running the parent's cleanup
        _die_with_parent(parent)
        code = _run(func, args)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    deadline = time.monotonic() + seconds
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                if os.WIFEXITED(status):
                    return os.waitstatus_to_exitcode(status)
                print(f"policykg {args.command}: killed by signal {os.WTERMSIG(status)} "
                      f"(out of memory?); {consequence}", file=sys.stderr)
                return int(ExitCode.VALIDATION_FAILED)
            if time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                print(f"policykg {args.command}: stopped after its time limit of {seconds:g} s "
                      f"(--time-limit); {consequence}", file=sys.stderr)
                return int(ExitCode.VALIDATION_FAILED)
            time.sleep(0.02)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise


def _die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this (forked) process when its parent dies (Linux): killing
    ``policykg build`` stops its build too."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(int(ExitCode.VALIDATION_FAILED))


def _build_and_report(args: argparse.Namespace) -> int:
    from .pipeline.build import build

    result = build(args.sources or None, args.out, allow_shrink=args.allow_shrink, keep=args.keep,
                   keep_going=args.keep_going, curation=args.curation)
    # The exit code is the build's, decided before a word is printed: a report that cannot be
    # printed (a full disk, a closed pipe) does not turn a published build into a failure.
    code = ExitCode.OK if result.published else ExitCode.VALIDATION_FAILED
    _tolerant(sys.stdout)  # a character the encoding lacks is written \xNN or \uXXXX, never fatal
    try:
        _report_build(result, args)
        sys.stdout.flush()
    except OSError as exc:  # BrokenPipeError included
        _stdout_lost()
        _say(f"policykg build: the report could not be written "
             f"({exc.strerror or exc}); the build was "
             + (f"published to {args.out}/" if result.published else f"refused, {args.out} left as it was")
             + f" (exit {int(code)})")
    return code


def _report_build(result, args: argparse.Namespace) -> None:
    from .pipeline.gate import Severity

    counts = result.report.counts()
    print(f"policykg build: {len(result.sources)} source(s), "
          + ", ".join(f"{n} {g}" for g, n in sorted(result.triples.items())) + " triples")
    for skipped in result.skipped:
        print(f"  skipped: {skipped}", file=sys.stderr)
    for entity in result.new_entities:
        print(f"  new {entity.kind}: <{entity.iri}> {entity.label!r}")
    if result.curated is not None:
        for applied in result.curated.applied:
            print(f"  curated: {applied.summary} ({applied.entry.curator}, {applied.entry.where})")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    if not result.published:
        sys.stdout.write(result.report.to_text())
        if result.quality is not None:
            sys.stdout.write(result.quality.to_text())
        for reason in result.refusals:
            print(f"policykg build: {reason}", file=sys.stderr)
        print(f"policykg build: the build was refused: nothing published, "
              f"{args.out} left as it was", file=sys.stderr)
        return
    print(f"SHACL gate passed ({counts[Severity.WARNING]} warnings); published to {args.out}/")


def _tolerant(stream) -> None:
    """Have ``stream`` write what its encoding lacks as ``\\uXXXX`` (``PYTHONIOENCODING=ascii``,
    a C locale) instead of raising: a message must never fail for its characters."""
    try:
        stream.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError, OSError):  # not a TextIOWrapper (a test's capture)
        pass


def _stdout_lost() -> None:
    """Standard output failed: send what is left of it (and Python's flush at exit) to
    /dev/null, so that the exit code stays the one decided."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _say(message: str) -> None:
    """Write ``message`` to standard error if it can be written; a lost message is no error."""
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _cmd_serve(args: argparse.Namespace) -> int:
    from .server.app import ServerConfig
    from .server.run import serve

    config = ServerConfig(dist=Path(args.dist), host=args.host, port=args.port, base_iri=args.base,
                          timeout=args.timeout, max_rows=args.max_rows, workers=args.workers,
                          cache_bytes=int(args.cache_mb * (1 << 20)),
                          client_queries=args.client_queries, read_timeout=args.read_timeout)
    return serve(config, [Path(s) for s in args.sources] or None, build_first=not args.no_build)


def _cmd_query(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .tools.query import QuerySyntaxError, run_query

    if (args.file is None) == (args.query is None):
        raise InputError("give a query FILE or -q TEXT (one of them)")
    if args.query is not None:
        text, where = args.query, "<query>"
    elif args.file == "-":
        text, where = sys.stdin.read(), "<stdin>"
    else:
        where = args.file
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such query file", path=args.file) from None
        except IsADirectoryError:
            raise InputError("is a folder, not a query file", path=args.file) from None
        except UnicodeDecodeError:
            raise InputError("the query file is not UTF-8 text", path=args.file) from None
    try:
        result = run_query(text, build=None if args.endpoint else Path(args.dist), endpoint=args.endpoint,
                           timeout=args.timeout)
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(exc.message, path=where, line=exc.line) from None
    sys.stdout.write({"table": result.to_table, "csv": result.to_csv, "tsv": result.to_tsv,
                      "json": result.to_json}[args.format]())
    return ExitCode.OK


def _cmd_rollback(args: argparse.Namespace) -> int:
    from .pipeline.publish.release import rollback

    result = rollback(Path(args.dist), to=args.to)
    print(f"rolled back: {result.out_dir} holds build {result.current.id} again"
          + (f" (built {result.current.built})" if result.current.built else ""))
    if result.replaced is not None:
        print(f"the build it replaced, {result.replaced.id}, is kept as {result.replaced.path}: "
              "`policykg rollback` again undoes this")
    return ExitCode.OK


def _cmd_builds(args: argparse.Namespace) -> int:
    from .pipeline.publish.release import history

    found = history(Path(args.dist))
    rows = [("", "id", "built", "sources", "data triples", "state", "folder")]
    for mark, record in ([("*", found.current)] if found.current else []) + \
            [(str(i), r) for i, r in enumerate(found.previous, 1)]:
        rows.append((mark, record.id or "-", record.built or "-",
                     "-" if record.sources is None else str(record.sources),
                     "-" if record.data_triples is None else str(record.data_triples),
                     "complete" if record.complete else "INCOMPLETE", str(record.path)))
    if len(rows) == 1:
        print(f"no build in {args.dist}")
        return ExitCode.OK
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {3, 4}
    for row in rows:
        print("  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    print("* the current build; 1 is the one `policykg rollback` goes back to, "
          "`policykg rollback --to ID` to any")
    return ExitCode.OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .tools.checks import check_model

    result = check_model(reasoner=not args.no_reasoner)
    sys.stdout.write(result.to_text())
    return ExitCode.OK if result.ok else ExitCode.VALIDATION_FAILED


def _cmd_docs(args: argparse.Namespace) -> int:
    from . import resources
    from .tools.docs import write_docs

    index = write_docs(resources.ontology_path(), Path(args.out))
    print(f"wrote {index}")
    return ExitCode.OK


def _cmd_vocab(args: argparse.Namespace) -> int:
    from .pipeline import gate
    from .tools.vocabgen import render_vocab

    target = Path(__file__).with_name("vocab.py")
    text = render_vocab(gate.ontology_graph())
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if args.check:
        if current != text:
            print(f"{target} is out of date: run `policykg vocab`", file=sys.stderr)
            return ExitCode.VALIDATION_FAILED
        print(f"{target} matches the ontology")
        return ExitCode.OK
    if current != text:
        tmp = target.with_suffix(".py.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        print(f"wrote {target}")
    else:
        print(f"{target} already matches the ontology")
    return ExitCode.OK


def _cmd_export(args: argparse.Namespace) -> int:
    from .tools.export import export

    result = export(Path(args.dist), args.format, Path(args.out) if args.out else None)
    if isinstance(result, bytes):
        sys.stdout.buffer.write(result)
        sys.stdout.buffer.flush()
    else:
        print(f"wrote {result}", file=sys.stderr)
    return ExitCode.OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from .tools.diff import diff

    notes = diff(Path(args.old), Path(args.new)).to_markdown()
    if args.out:
        Path(args.out).write_text(notes, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(notes)
    return ExitCode.OK


def _cmd_review(args: argparse.Namespace) -> int:
    from .pipeline.review import load_review

    review = load_review(Path(args.dist))
    text = review.to_csv() if args.format == "csv" else review.to_markdown()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {args.out} ({len(review.items)} items)", file=sys.stderr)
    else:
        _tolerant(sys.stdout)
        sys.stdout.write(text)
    return ExitCode.OK


def _cmd_eval(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .tools.evaluate import evaluate_files

    if args.build and args.dist is not None:
        raise InputError("give --build or --dist, not both")
    for option, value in (("--min-recall", args.min_recall), ("--min-precision", args.min_precision)):
        if value is not None and not 0 <= value <= 1:
            raise InputError(f"{option} must lie between 0 and 1, not {value:g}")
    result = evaluate_files(args.gold, dist=args.dist or "dist", build=args.build)
    sys.stdout.write({"table": result.to_table, "markdown": result.to_markdown,
                      "json": result.to_json}[args.format]())
    for failure in result.failures:
        print(f"policykg: error: {failure.message}", file=sys.stderr)
    if result.failures:
        return max(f.exit_code for f in result.failures)
    overall, below = result.overall, []
    if not result.meets(min_recall=args.min_recall):
        below.append(f"recall {overall.recall:.3f} is below --min-recall {args.min_recall:g}")
    if not result.meets(min_precision=args.min_precision):
        below.append(f"precision {overall.precision:.3f} is below --min-precision {args.min_precision:g}")
    if below:
        print("policykg eval: overall " + "; ".join(below), file=sys.stderr)
        return ExitCode.VALIDATION_FAILED
    return ExitCode.OK


def _cmd_push(args: argparse.Namespace) -> int:
    from .tools.push import push

    password = args.password
    if args.user is not None and password is None:  # kept off the command line, where ps shows it
        password = os.environ.get("POLICYKG_PASSWORD")
    result = push(Path(args.dist), args.endpoint, graph=args.graph, user=args.user,
                  password=password, protocol=args.protocol, auth=args.auth, timeout=args.timeout)
    sys.stdout.write(result.summary())
    if not result.verified:
        print("policykg push: the store does not hold what the build holds (see the counts)",
              file=sys.stderr)
        return ExitCode.VALIDATION_FAILED
    return ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="policykg",
        description="A knowledge graph and OWL ontology of Chinese data-policy measures.",
        epilog="Exit codes: 0 ok, 1 validation failed, 2 bad input or usage, 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"policykg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("build", help="build the graph from the sources, validate it and publish it",
                       description="Read the source documents, extract the graph, add OWL RL "
                                   "inferences, pass the SHACL gate and write DIR atomically. A graph "
                                   "that fails the gate is not published (exit 1); bad input exits 2. "
                                   "Either way DIR is left as it was.")
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="policy updates (Markdown, text, HTML, PDF, Word) or folders of them "
                        "(default: sources/); README.md and the like are skipped by name")
    p.add_argument("--keep-going", action="store_true",
                   help="skip a document that cannot be read, list it, and build the rest "
                        "(default: one bad document refuses the whole build)")
    p.add_argument("--out", type=_folder, default="dist", metavar="DIR",
                   help="output folder: missing, empty or a policykg build (default: dist)")
    p.add_argument("--allow-shrink", action="store_true",
                   help="publish even if the graph lost more than half of the last good build's facts")
    p.add_argument("--keep", type=_count, default=5, metavar="N",
                   help="earlier builds to keep in DIR.history for rollback (default: 5)")
    p.add_argument("--curation", type=_folder, metavar="DIR",
                   help="folder of curation files: retract, assert, merge, split, label "
                        "(default: mappings/curation/; mappings/README.md)")
    p.add_argument("--time-limit", type=float, default=1800.0, metavar="S",
                   help="stop a build that runs longer than S seconds (the gate or reasoning "
                        "stuck on hostile input), publishing nothing; 0 for none (default: 1800)")
    p.set_defaults(func=_cmd_build, command="build")

    p = sub.add_parser("rollback", help="make the previous build current again (run it again to undo)",
                       description="Make a kept build (DIR.history, listed by `policykg builds`) the "
                                   "published one again, atomically: by default the one DIR held before "
                                   "(DIR.prev). The build it replaces becomes the newest kept build, so "
                                   "running rollback again undoes it.")
    p.add_argument("--dist", type=_folder, default="dist", metavar="DIR", help="build folder (default: dist)")
    p.add_argument("--to", metavar="ID", help="the id (or its start) of the kept build to go back to")
    p.set_defaults(func=_cmd_rollback)

    p = sub.add_parser("builds", help="list the current build and the kept previous ones",
                       description="List the build DIR holds and the previous builds kept in "
                                   "DIR.history, newest first: id, when built, sources, data triples, "
                                   "whether every file matches its SHA256SUMS.")
    p.add_argument("--dist", default="dist", metavar="DIR", help="build folder (default: dist)")
    p.set_defaults(func=_cmd_builds)

    p = sub.add_parser("serve", help="build, gate and serve the graph: SPARQL endpoint, pages, query UI",
                       description="Build the graph (unless --no-build), and serve the last build that "
                                   "passed the SHACL gate, read-only: a SPARQL 1.1 endpoint at /sparql, "
                                   "linked-data pages under /id/, and a query UI at /.")
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="documents to build (default: sources/)")
    p.add_argument("--dist", default="dist", metavar="DIR", help="build folder (default: dist)")
    p.add_argument("--no-build", action="store_true", help="serve the last good build without building")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--base", default=BASE, metavar="IRI",
                   help=f"the IRI the server's paths stand for (default: {BASE})")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="hard time limit of one query (default: 10)")
    p.add_argument("--max-rows", type=int, default=10_000, help="most rows or triples in an answer (default: 10000)")
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default: 2)")
    p.add_argument("--cache-mb", type=float, default=64, metavar="MB",
                   help="answer cache size; answers are exact, the served build being read-only (default: 64; 0: off)")
    p.add_argument("--client-queries", type=int, default=8, metavar="N",
                   help="queries one client (address) may have running or waiting; more get 429 "
                        "(default: 8; 0: no per-client limits)")
    p.add_argument("--read-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="time a client has to send a whole request; slower ones get 408 (default: 30)")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("query", help="run a SPARQL query on the last build or on an endpoint",
                       description="Run a SPARQL query on a build (its four named graphs; the default "
                                   "graph is their union) or on a SPARQL endpoint, and print the "
                                   "answer. Exit 2 for a missing file or a query that does not parse.")
    p.add_argument("file", nargs="?", metavar="FILE", help="the query (.rq); - reads standard input")
    p.add_argument("-q", "--query", metavar="TEXT", help="the query itself, instead of a file")
    p.add_argument("--dist", default="dist", metavar="DIR", help="build folder to query (default: dist)")
    p.add_argument("--endpoint", metavar="URL", help="query this SPARQL endpoint instead of a build")
    p.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table",
                   help="an aligned table (default), or SPARQL CSV, TSV or JSON results")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for the endpoint (default: 30)")
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser("check", help="check the ontology and the shapes (OWL 2 DL, HermiT, SHACL-for-SHACL)",
                       description="Check the model: the OWL API's OWL 2 DL profile and HermiT on the "
                                   "ontology, SHACL-for-SHACL on the shapes, shapes against ontology, "
                                   "term documentation, and the generated namespace.")
    p.add_argument("--no-reasoner", action="store_true", help="skip the Java checks (OWL API, HermiT)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("validate", help="validate RDF files against the shapes",
                       description="Validate RDF files against the SHACL shapes. Exit 0 when no "
                                   "file has a violation, 1 when one has, 2 for unreadable input.")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="RDF file (.ttl .nt .nq .trig .rdf .owl .jsonld); named graphs are merged")
    p.add_argument("--shapes", metavar="FILE", help="shapes to use instead of ontology/shapes.ttl")
    p.add_argument("--inference", choices=("none", "rdfs", "owlrl"), default="none",
                   help="entailment to apply before validating (default: none)")
    p.add_argument("--format", choices=("text", "turtle"), default="text",
                   help="report as readable text (default) or as a SHACL report in Turtle")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("docs", help="write HTML documentation of the ontology",
                       description="Write bilingual (English/Chinese) HTML documentation of the ontology.")
    p.add_argument("--out", default="dist/docs", metavar="DIR", help="output folder (default: dist/docs)")
    p.set_defaults(func=_cmd_docs)

    p = sub.add_parser("vocab", help="regenerate src/policykg/vocab.py from the ontology",
                       description="Regenerate the closed Python namespace of the ontology's terms.")
    p.add_argument("--check", action="store_true", help="only check that the module is up to date")
    p.set_defaults(func=_cmd_vocab)

    from .tools.export import FORMATS as EXPORT_FORMATS  # stdlib only: --help stays instant

    p = sub.add_parser("export", help="write the last build's graph in one RDF format",
                       description="Copy the build's file in format F to FILE (default: standard "
                                   "output), byte for byte as the build wrote it. ttl, nt, jsonld "
                                   "and rdfxml hold the ontology and the data; nq and trig the "
                                   "four named graphs; owl the OWL edition (RDF/XML) for Protégé.")
    p.add_argument("--format", required=True, metavar="F", choices=EXPORT_FORMATS,
                   help=", ".join(EXPORT_FORMATS))
    p.add_argument("--dist", default="dist", metavar="DIR", help="build folder (default: dist)")
    p.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("diff", help="release notes: what changed between two builds",
                       description="Compare the data graphs of two builds entity by entity and "
                                   "write release notes in Markdown: entities added, removed and "
                                   "changed, named by their labels.")
    p.add_argument("old", metavar="OLD", help="folder of the older build (e.g. dist.prev)")
    p.add_argument("new", metavar="NEW", help="folder of the newer build (e.g. dist)")
    p.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser("review", help="what to check in the last build, each with a curation entry to paste",
                       description="List every warning of the build in DIR: facts left out because the "
                                   "text was unsure, new entities, near-duplicate names, measures without "
                                   "a category or an agency, curation entries that no longer apply; each "
                                   "with the sentence it comes from and a curation entry ready to paste "
                                   "into mappings/curation/ (mappings/README.md).")
    p.add_argument("--dist", type=_folder, default="dist", metavar="DIR", help="build folder (default: dist)")
    p.add_argument("--format", choices=("markdown", "csv"), default="markdown",
                   help="Markdown (default) or CSV: kind, message, file, line, sentence, entry, subject")
    p.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_review)

    p = sub.add_parser("eval", help="precision, recall and F1 per kind of fact, against hand-written gold",
                       description="Compare gold files (.facts, tests/eval/README.md; or IRI-based Turtle, "
                                   "tests/gold/README.md) with a build: per kind of fact, the facts found, "
                                   "missed and wrong, precision, recall and F1. Exit 0 whatever the figures "
                                   "(1 below --min-recall or --min-precision), 2 for bad input.")
    p.add_argument("gold", nargs="+", metavar="GOLD", help="gold file (.facts or .ttl)")
    p.add_argument("--dist", metavar="DIR", help="build folder to evaluate (default: dist)")
    p.add_argument("--build", action="store_true",
                   help="build each gold file's document (same stem, beside it) alone into a temporary "
                        "folder and evaluate that instead")
    p.add_argument("--format", choices=("table", "markdown", "json"), default="table",
                   help="an aligned table with the missed and wrong facts (default), Markdown, or JSON")
    p.add_argument("--min-recall", type=float, metavar="R", help="exit 1 when the overall recall is below R")
    p.add_argument("--min-precision", type=float, metavar="P",
                   help="exit 1 when the overall precision is below P")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("push", help="load the build into an external SPARQL store",
                       description="Load the build's four named graphs into a SPARQL 1.1 store, "
                                   "each replacing its previous version (Graph Store Protocol, "
                                   "else SPARQL Update), then count them on the store. Exit 1 "
                                   "when the counts differ from the build's.")
    p.add_argument("--endpoint", required=True, metavar="URL",
                   help="the store's base URL or SPARQL endpoint (e.g. http://127.0.0.1:7878, "
                        "http://host:8890/sparql)")
    p.add_argument("--dist", default="dist", metavar="DIR", help="build folder (default: dist)")
    p.add_argument("--graph", metavar="IRI", help="put the union of the graphs into this one graph")
    p.add_argument("--user", metavar="U", help="user name (HTTP Basic or Digest authentication)")
    p.add_argument("--password", metavar="P", help="password (default: $POLICYKG_PASSWORD)")
    p.add_argument("--protocol", choices=("auto", "gsp", "update"), default="auto",
                   help="Graph Store Protocol, SPARQL Update, or whichever the store has (default)")
    p.add_argument("--auth", choices=("auto", "basic", "digest"), default="auto",
                   help="authentication scheme (default: the one the store asks for)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="time limit of one HTTP request (default: 120)")
    p.set_defaults(func=_cmd_push)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``policykg`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return _run(args.func, args)


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """``func(args)``, with every failure turned into a message and an exit code."""
    _tolerant(sys.stderr)
    try:
        return int(func(args))
    except PolicykgError as exc:
        _say(f"policykg: error: {exc}")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _say("policykg: interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (`policykg build | head`): not our failure
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.OK)
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("POLICYKG_DEBUG"):
            raise
        _say(f"policykg: internal error: {type(exc).__name__}: {exc}\n"
             "  (set POLICYKG_DEBUG=1 for the traceback, and please report it)")
        return int(ExitCode.INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
