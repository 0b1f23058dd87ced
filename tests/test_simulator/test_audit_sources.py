"""Reading an archive in parts: every call read once, each naming its file and line, whatever
the cut; unreadable input reported where it is, while the rest is read."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from destination.inputs import Sourced, Unreadable, stream_calls
from simulator.audit.sources import expand, lines_ending_in, plan_parts, read_part

line_texts = st.one_of(
    st.builds(lambda n: json.dumps({"type": "track", "event": f"E{n}"}), st.integers(0, 999)),
    st.just(""), st.just("{broken"), st.text(alphabet="ab\u00e9 ", max_size=5),
)


def read_all(path: Path, block_size: int) -> list[tuple[str, object]]:
    """(origin, call or reason) of every item of a file, read part by part as an audit does."""
    parts, broken = plan_parts([str(path)], block_size)
    assert broken == []
    items, first = [], 1
    for part in parts:
        items += list(read_part(part, first))
        first += lines_ending_in(part) if part.layout == "lines" else 0
    return [(i.origin, i.call if isinstance(i, Sourced) else i.reason) for i in items]


@settings(max_examples=60)
@given(lines=st.lists(line_texts, min_size=1, max_size=30), block=st.integers(1, 80),
       final_newline=st.booleans())
def test_cutting_a_json_lines_file_anywhere_reads_each_line_once_with_its_number(
        tmp_path_factory, lines: list[str], block: int, final_newline: bool) -> None:
    if not line_texts_start_json(lines):
        lines = ['{"type": "page"}', *lines]  # a file of JSON Lines begins with one
    text = "\n".join(lines) + ("\n" if final_newline else "")
    path = tmp_path_factory.mktemp("cut") / "calls.jsonl"
    path.write_text(text, encoding="utf-8")
    whole = [(i.origin, i.call if isinstance(i, Sourced) else i.reason)
             for i in stream_calls(text.encode().splitlines(keepends=True), str(path))]

    assert read_all(path, block) == whole


def line_texts_start_json(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), None)
    try:
        return first is not None and json.loads(first) is not None
    except json.JSONDecodeError:
        return False


def test_folders_and_globs_expand_in_order_and_missing_paths_are_named(tmp_path: Path) -> None:
    (tmp_path / "day-2").mkdir()
    (tmp_path / "day-1").mkdir()
    for name in ("day-2/b.gz", "day-1/a.jsonl", "day-1/notes.txt", "day-1/.hidden.json"):
        (tmp_path / name).write_bytes(b"")

    files, broken = expand([str(tmp_path), str(tmp_path / "day-1" / "*.jsonl"),
                            str(tmp_path / "nowhere"), str(tmp_path / "*.none")])

    assert files == [str(tmp_path / "day-1" / "a.jsonl"), str(tmp_path / "day-2" / "b.gz")]
    assert [(b.path, b.reason) for b in broken] == [
        (str(tmp_path / "nowhere"), "no such file or folder"),
        (str(tmp_path / "*.none"), "no file matches this pattern")]


def test_a_url_glob_expands_through_fsspec_and_its_files_are_read(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl"):
        (tmp_path / name).write_text(json.dumps({"type": "page", "name": name}) + "\n")

    files, broken = expand([f"file://{tmp_path}/*.jsonl", f"file://{tmp_path}/*.none"])
    parts, _ = plan_parts(files)

    assert [Path(f).name for f in files] == ["a.jsonl", "b.jsonl"]
    assert [b.reason for b in broken] == ["no file matches this pattern"]
    assert [i.call["name"] for part in parts for i in read_part(part)] == ["a.jsonl", "b.jsonl"]


def test_a_truncated_gzip_file_keeps_its_calls_and_then_says_where_it_broke(
        tmp_path: Path) -> None:
    body = "".join(json.dumps({"type": "track", "event": f"E{n}", "n": "x" * 50}) + "\n"
                   for n in range(200)).encode()
    path = tmp_path / "hour.jsonl.gz"
    path.write_bytes(gzip.compress(body)[:-300])

    items = read_all(path, 1 << 20)

    assert items[0] == (f"{path}:1", {"type": "track", "event": "E0", "n": "x" * 50})
    origin, reason = items[-1]
    assert origin == str(path) and "cannot read" in str(reason) and str(path) in str(reason)
    assert 0 < len(items) - 1 < 200


def test_parquet_rows_are_calls_by_their_columns_or_by_a_json_column(tmp_path: Path) -> None:
    by_columns, as_json = tmp_path / "columns.parquet", tmp_path / "json.parquet"
    pq.write_table(pa.table({"type": ["track", "page"], "event": ["Signed up", None],
                             "userId": ["u1", "u2"]}), by_columns)
    pq.write_table(pa.table({"call": ['{"type": "identify", "userId": "u3"}', "{oops"]}),
                   as_json)
    parts, _ = plan_parts([str(by_columns), str(as_json)])

    items = [item for part in parts for item in read_part(part)]

    assert [(i.origin, i.call) for i in items[:3] if isinstance(i, Sourced)] == [
        (f"{by_columns} row 1", {"type": "track", "event": "Signed up", "userId": "u1"}),
        (f"{by_columns} row 2", {"type": "page", "userId": "u2"}),
        (f"{as_json} row 1", {"type": "identify", "userId": "u3"})]
    assert isinstance(items[3], Unreadable) and items[3].origin == f"{as_json} row 2"


def test_a_json_document_is_read_whole_and_a_broken_one_is_named_with_its_line(
        tmp_path: Path) -> None:
    good, bad = tmp_path / "batch.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"batch": [{"type": "track"}, {"type": "page"}],
                                "context": {"ip": "1.2.3.4"}}, indent=2))
    bad.write_text('[\n  {"type": "track"},\n  {"type": \n]')
    parts, _ = plan_parts([str(good), str(bad)], block_size=8)

    items = [item for part in parts for item in read_part(part)]

    assert [i.origin for i in items] == [f"{good} batch[0]", f"{good} batch[1]", str(bad)]
    assert items[0].batch == {"context": {"ip": "1.2.3.4"}}
    assert f"{bad}:4:1: not JSON" in items[2].reason
