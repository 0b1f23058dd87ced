"""How `akita-map` shows records: coloured text for a person, JSON Lines for a program.

Text mode prints each call's origin, its type, what it became and why; mapped messages in full,
problems with their JSON path. JSON mode prints one `DeliveryRecord.to_dict()` per line with
the call's `source`, and the summary on stderr so that stdout stays one record per line.
Trait values are user data: they are printed as text, never as Rich markup, and a lone
surrogate is written as its JSON escape rather than crash the output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import IO, Any, Protocol

from rich.console import Console
from rich.highlighter import JSONHighlighter
from rich.table import Table
from rich.text import Text

from destination.batching import wire
from destination.report import STATUSES, DeliveryRecord

STYLES = MappingProxyType({"mapped": "green", "delivered": "green", "duplicate": "cyan",
                           "filtered": "magenta",
                           "skipped": "yellow", "invalid": "bold red", "rejected": "bold red",
                           "failed": "bold red"})


class Renderer(Protocol):
    """What the CLI needs of an output format."""

    def record(self, origin: str, record: DeliveryRecord) -> None:
        """Show one call's outcome."""

    def summary(self, counts: Mapping[str, int]) -> None:
        """Show the counts per status (and the total) at the end."""


def printable(text: str) -> str:
    """`text` with lone surrogates as JSON escapes, so any terminal encoding can take it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class JsonRenderer:
    """One JSON object per line on `out`; the summary as one JSON line on `err`."""

    def __init__(self, out: IO[bytes], err: IO[bytes]) -> None:
        self._out, self._err = out, err

    def record(self, origin: str, record: DeliveryRecord) -> None:
        """Write the record with its `source`, at once: a reader downstream (`| jq`) sees each
        call as it is decided, not when a buffer fills."""
        self._out.write(wire({"source": origin, **record.to_dict()}) + b"\n")
        self._out.flush()

    def summary(self, counts: Mapping[str, int]) -> None:
        """Write `{"summary": {...}}` to stderr."""
        self._err.write(wire({"summary": dict(counts)}) + b"\n")
        self._out.flush()
        self._err.flush()


class TextRenderer:
    """Readable, coloured when the console is a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._highlight = JSONHighlighter()

    def record(self, origin: str, record: DeliveryRecord) -> None:
        """A headline per call, then the message (when only mapping) or what went wrong."""
        call = record.call if isinstance(record.call, dict) else {}
        kind = str(call.get("type", "?"))
        if record.message:
            kind += f" → {record.message['type']}"
        line = Text.assemble((printable(origin), "bold"), "  ", printable(kind), "  ",
                             (record.status, STYLES[record.status]))
        if record.message_id:
            line.append(f"  {printable(record.message_id)}", style="dim")
        if record.attempts > 1:
            line.append(f"  ({record.attempts} attempts)", style="dim")
        self.console.print(line)
        self._details(record)

    def _details(self, record: DeliveryRecord) -> None:
        if record.status == "mapped" and record.message:
            self._json(record.message)
        if record.reason and record.status != "invalid":
            where = f"{record.path}: " if record.path and not record.problems else ""
            status = (record.response or {}).get("status")
            prefix = f"Akita answered {status}: " if record.status == "rejected" else ""
            self.console.print(Text(printable(f"  {where}{prefix}{record.reason}")))
        for problem in record.problems:
            self.console.print(Text(printable(f"  {problem}"), style="red"))
        if record.note:
            self.console.print(Text(printable(f"  {record.note}"), style="dim"))
        if record.status in ("rejected", "failed") and record.response:
            self.console.print(Text("  response:", style="dim"))
            self._json(record.response)

    def _json(self, value: Any) -> None:
        text = Text(printable(json.dumps(value, indent=2, ensure_ascii=False)))
        self.console.print(self._highlight(text))

    def summary(self, counts: Mapping[str, int]) -> None:
        """A table of the statuses that occurred, and the total."""
        table = Table(title="summary", show_header=False, box=None)
        for status in STATUSES:
            if counts[status]:
                table.add_row(Text(status, style=STYLES[status]), str(counts[status]))
        table.add_row(Text("total", style="bold"), str(counts["total"]))
        self.console.print(table)
