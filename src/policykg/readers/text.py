"""Plain text: a policy update as copied out of a PDF or an e-mail, with no markup at all.

Door: :func:`read`. The rendition is the file itself (decoded). Blocks are separated by blank
lines; inside a run of lines, a line that starts a numbered or bulleted item, or a footnote,
starts a new block, and a hard-wrapped paragraph's lines are one block. A page's running
header, footer and page number (``Policy Update | Page 1``) are not blocks.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError


def decode(data: bytes, path: Path) -> str:
    """UTF-8 text without its byte-order mark; refused: NUL bytes, other encodings, control
    characters (file and line named)."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("binary file: not a text document (NUL byte)", path=path, line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                         path=path, line=line, hint="save the document as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark is not part of the text
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"control character U+{ord(bad.group()):04X} in the text: not a text document",
                         path=path, line=line)
    return text
