"""Splitting a byte stream into numbered lines, with bounded memory whatever the input.

A line ends at "\\n", "\\r\\n" or a lone "\\r" (old Mac files), so the numbers match what an editor
shows. No line holds more than MAX_LINE_BYTES: the rest of a longer one is read and dropped, and the
line is marked `overlong`. A UTF-8 byte-order mark at the start is dropped; a file that starts with a
UTF-16 byte-order mark (what Windows tools write as "Unicode") is read as UTF-16. Anything else is
taken to be UTF-8, and a line that is not says so when decoded.

Bytes are taken as they arrive (`read1`), so a line typed into a pipe is answered at once.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator

# A headline is at most a few hundred bytes; a line this long is not one (the service's body limit).
MAX_LINE_BYTES = 1 << 20
CHUNK_BYTES = 1 << 16

_END_OF_LINE = re.compile(rb"\r\n|\r|\n")
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Stands for bytes of a UTF-16 file that are not UTF-16; it is not UTF-8, so its line becomes an error.
_NOT_TEXT = b"\xff"


@dataclass
class Line:
    number: int
    raw: bytes  # UTF-8 bytes (transcoded if the file is UTF-16), at most MAX_LINE_BYTES
    overlong: bool
    encoding: str

    def text(self) -> tuple[str | None, str | None]:
        """(text, None), or (None, why it is not text). An overlong line loses a character cut in two."""
        try:
            return self.raw.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            if self.overlong and exc.reason == "unexpected end of data":
                return self.raw[: exc.start].decode("utf-8"), None
            if self.encoding != "UTF-8":
                return None, f"not valid {self.encoding}"
            return None, f"not valid UTF-8 (byte {exc.start})"


def read_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """The lines of `stream`; a last line without a line ending counts, an empty stream has none."""
    encoding, chunks = _utf8_chunks(stream)
    number, kept, overlong, skip_newline = 0, bytearray(), False, False
    for chunk in chunks:
        start = 0
        if skip_newline and chunk.startswith(b"\n"):  # the "\n" of a "\r\n" split between two reads
            start = 1
        skip_newline = False
        for end in _END_OF_LINE.finditer(chunk, start):
            overlong = _keep(kept, chunk[start : end.start()], limit) or overlong
            number += 1
            yield Line(number, bytes(kept), overlong, encoding)
            kept.clear()
            overlong, start = False, end.end()
            skip_newline = end.group() == b"\r" and start == len(chunk)
        overlong = _keep(kept, chunk[start:], limit) or overlong
    if kept or overlong:
        yield Line(number + 1, bytes(kept), overlong, encoding)


def _keep(kept: bytearray, piece: bytes, limit: int) -> bool:
    """Append what fits under `limit`; True if something did not fit."""
    room = limit - len(kept)
    kept += piece[:room]
    return len(piece) > room


def _utf8_chunks(stream: BinaryIO) -> tuple[str, Iterator[bytes]]:
    """(encoding name, the stream as UTF-8 chunks), sniffed from a byte-order mark."""
    read = getattr(stream, "read1", stream.read)
    head = _read_head(read)
    if head.startswith(_UTF8_BOM):
        return "UTF-8", _chunks(read, head[len(_UTF8_BOM) :])
    if head[:2] in _UTF16_BOMS:
        return "UTF-16", _transcoded(_chunks(read, head))
    return "UTF-8", _chunks(read, head)


def _read_head(read) -> bytes:
    """The first bytes, as many as it takes to tell a byte-order mark (waiting for no more than that)."""
    head = read(CHUNK_BYTES)
    while head and len(head) < 3 and (_UTF8_BOM.startswith(head) or (len(head) < 2 and head[0] in b"\xfe\xff")):
        more = read(CHUNK_BYTES)
        if not more:
            break
        head += more
    return head


def _chunks(read, first: bytes) -> Iterator[bytes]:
    if first:
        yield first
    while chunk := read(CHUNK_BYTES):
        yield chunk


def _transcoded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """UTF-16 chunks (byte-order mark first) as UTF-8; a lone surrogate or a dangling last byte stays
    undecodable, so its line is an error rather than silently repaired."""
    decoder = codecs.getincrementaldecoder("utf-16")(errors="surrogatepass")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8", "surrogatepass")
    try:
        yield decoder.decode(b"", final=True).encode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        yield _NOT_TEXT
