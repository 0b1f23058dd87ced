"""An archive's inputs as parts a worker can read alone, and the calls each part holds.

Segment's S3 destination writes gzipped JSON Lines, an hourly file at most 100 MB: a gzip
stream cannot be entered in the middle, so each such file is one part. An uncompressed JSON
Lines file larger than `block_size` is cut into byte ranges, a line belonging to the part its
first byte falls in; the parts' newlines are counted first (one pass, linear) so that every
call still names its file and line. JSON documents (one call, an array, a batch body) are read
whole, and Parquet files a row group at a time. Paths may be files, folders (searched for
`.json`, `.jsonl`, `.ndjson`, `.gz` and `.parquet` files at any depth) or globs; anything
fsspec can open (`s3://`, `gs://` with their packages installed) works as a local path does.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import count
from typing import Literal

import fsspec

from destination.errors import InputError
from destination.inputs import (
    GZIP_MAGIC,
    Sourced,
    Unreadable,
    calls_in,
    is_json_line,
    line_calls,
    stream_calls,
)

DEFAULT_BLOCK_SIZE = 64 * 2**20
ARCHIVE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz", ".parquet")
_PROBE = 64 * 2**10  # bytes read to tell JSON Lines from a document

Layout = Literal["whole", "lines", "parquet"]  # read through stream_calls, cut, or by rows


@dataclass(frozen=True)
class Part:
    """What one task reads: a whole file, a byte range of a JSON Lines file, or a Parquet
    file. `index` orders parts, and so calls, across the whole audit."""

    index: int
    path: str
    layout: Layout
    start: int = 0
    end: int | None = None  # None: to the end of the file


@dataclass(frozen=True)
class Broken:
    """A path that names nothing readable: reported, while the rest is audited."""

    path: str
    reason: str


def expand(paths: Sequence[str]) -> tuple[list[str], list[Broken]]:
    """The files the paths name, each once, in the order given (a folder's and a glob's
    sorted), and the paths that name none."""
    files: list[str] = []
    broken: list[Broken] = []
    for path in paths:
        if "://" in path:
            found = (sorted(f.full_name for f in fsspec.open_files(path))
                     if glob.has_magic(path) else [path])
            files.extend(found)
            if not found:
                broken.append(Broken(path, "no file matches this pattern"))
        elif os.path.isdir(path):
            found = sorted(
                os.path.join(root, name)
                for root, _, names in os.walk(path) for name in names
                if name.endswith(ARCHIVE_SUFFIXES) and not name.startswith(".")
            )
            files.extend(found)
            if not found:
                broken.append(Broken(path, "the folder holds no .json, .jsonl, .ndjson, .gz "
                                           "or .parquet file"))
        elif glob.has_magic(path):
            found = sorted(glob.glob(path, recursive=True))
            files.extend(f for f in found if os.path.isfile(f))
            if not found:
                broken.append(Broken(path, "no file matches this pattern"))
        elif os.path.isfile(path):
            files.append(path)
        else:
            broken.append(Broken(path, "no such file or folder"))
    return list(dict.fromkeys(files)), broken


def plan_parts(files: Sequence[str], block_size: int = DEFAULT_BLOCK_SIZE
               ) -> tuple[list[Part], list[Broken]]:
    """Every file as parts, numbered in order; files that cannot be opened are Broken."""
    parts: list[Part] = []
    broken: list[Broken] = []
    numbers = count()
    for path in files:
        try:
            layout, size = _layout(path)
        except OSError as error:
            broken.append(Broken(path, f"cannot read: {error.strerror or error}"))
            continue
        if layout == "lines" and size > block_size:
            for start in range(0, size, block_size):
                parts.append(Part(next(numbers), path, "lines", start,
                                  min(start + block_size, size)))
        else:
            parts.append(Part(next(numbers), path, layout))
    return parts, broken


def _layout(path: str) -> tuple[Layout, int]:
    """How a file is read, and its size: only plain JSON Lines may be cut into parts."""
    with fsspec.open(path, "rb") as raw:
        head = raw.read(_PROBE)
        size = raw.seek(0, os.SEEK_END)
    if head[:4] == b"PAR1":
        return "parquet", size
    if head[:2] == GZIP_MAGIC:
        return "whole", size
    first = next((line for line in head.splitlines() if line.strip()), b"")
    # A first line longer than the probe is a document's, or a line too long to matter here.
    complete = b"\n" in head or len(head) < _PROBE
    return ("lines" if complete and first and is_json_line(first) else "whole"), size


def lines_ending_in(part: Part) -> int:
    """How many lines end inside this part's byte range: summed over the parts before one,
    they number its first line."""
    with fsspec.open(part.path, "rb") as raw:
        left = (part.end if part.end is not None else raw.seek(0, os.SEEK_END)) - part.start
        raw.seek(part.start)
        total = 0
        while left > 0:
            chunk = raw.read(min(left, 2**20))
            if not chunk:
                break
            total += chunk.count(b"\n")
            left -= len(chunk)
    return total


def read_part(part: Part, first_line: int = 1) -> Iterator[Sourced | Unreadable]:
    """Every call of a part, in order, each naming its file and line (or row); an input that
    turns out unreadable half way ends its part with an `Unreadable` saying where and why."""
    reader = {"whole": _whole, "lines": _lines, "parquet": _parquet}
    try:
        yield from reader[part.layout](part, first_line)
    except InputError as error:
        yield Unreadable(part.path, str(error))
    except (OSError, EOFError) as error:  # truncated or corrupt (BadGzipFile is an OSError)
        yield Unreadable(part.path, f"{part.path}: cannot read: {error}")


def _whole(part: Part, first_line: int) -> Iterator[Sourced | Unreadable]:
    with fsspec.open(part.path, "rb") as raw:
        gzipped = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        with gzip.open(raw) if gzipped else nullcontext(raw) as stream:
            yield from stream_calls(stream, part.path)


def _lines(part: Part, first_line: int) -> Iterator[Sourced | Unreadable]:
    with fsspec.open(part.path, "rb") as stream:
        end = part.end if part.end is not None else stream.seek(0, os.SEEK_END)
        stream.seek(part.start)
        number = first_line
        if part.start > 0:
            stream.seek(part.start - 1)
            if stream.read(1) != b"\n":  # mid-line: that line is the previous part's
                stream.readline()
                number += 1
        position = stream.tell()

        def numbered() -> Iterator[tuple[int, bytes]]:
            nonlocal position, number
            while position < end:
                line = stream.readline()
                if not line:
                    return
                position += len(line)
                yield number, line
                number += 1

        yield from line_calls(numbered(), part.path)


def _parquet(part: Part, first_line: int) -> Iterator[Sourced | Unreadable]:
    """A Parquet file of calls: a row is a call, its columns the call's fields (null ones
    left out), or its one column `call` holds the call as JSON text."""
    import pyarrow.parquet as pq

    with fsspec.open(part.path, "rb") as raw:
        table = pq.ParquetFile(raw)
        row = 0
        for group in range(table.num_row_groups):
            for record in table.read_row_group(group).to_pylist():
                row += 1
                origin = f"{part.path} row {row}"
                text = record.get("call") if set(record) == {"call"} else None
                if isinstance(text, str):
                    try:
                        yield from calls_in(json.loads(text), origin)
                    except json.JSONDecodeError as error:
                        yield Unreadable(origin, f"not JSON: {error.msg} (column {error.colno})")
                else:
                    yield Sourced(origin, {k: v for k, v in record.items() if v is not None})
