"""The one root exception of policykg, and the exit codes the CLI maps errors to.

Non-conformance with the shapes is a *result* (see :mod:`policykg.pipeline.gate`), never an exception.
An exception means the input could not be used at all (a missing or unparsable file) or that
policykg itself is broken. Every message says what went wrong, where (file and line when there
is one) and, where it helps, what to do.
"""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes of the ``policykg`` command: each means one thing."""

    OK = 0
    VALIDATION_FAILED = 1  # the input was read, and it breaks a shape or a check
    BAD_INPUT = 2  # missing file, unparsable RDF, bad usage
    INTERNAL = 3  # a bug in policykg or a broken installation


class PolicykgError(Exception):
    """Root of every error policykg raises on purpose.

    ``path`` and ``line`` (1-based) locate the problem when it lies in a file.
    """

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        text = where + self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(PolicykgError):
    """The input cannot be used: a missing file, bad encoding, unparsable RDF, bad usage."""

    exit_code = ExitCode.BAD_INPUT


class EnvironmentProblem(PolicykgError):
    """Something policykg needs from the machine is missing (e.g. a Java runtime)."""

    exit_code = ExitCode.INTERNAL
