"""An audit's summary on a terminal: what Akita would hold, what became of the calls, and why.

Three blocks a reader scans top-down: the state (the simulator's own count names), the calls by
outcome, then each grouped reason with how many calls it covers and where to find a few. Text
from the archive (reasons quote fields, origins name files) is printed as it is, never as markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from destination.render import printable
from simulator.audit.results import AUDIT_STATUSES, Summary

_STYLE = {"mapped": "green", "duplicate": "yellow", "filtered": "cyan", "skipped": "cyan",
          "invalid": "red"}


def render_summary(summary: Summary, console: Console | None = None) -> None:
    """Print the summary; `console` defaults to stdout."""
    console = console or Console(highlight=False, soft_wrap=True)
    state = Table(title="What Akita would hold", title_justify="left", show_header=False)
    for name, value in summary.counts.items():
        state.add_row(name, f"{value:,}")
    calls = Table(title="What became of the calls", title_justify="left", show_header=False)
    total = summary.calls["total"] or 1
    for status in AUDIT_STATUSES:
        count = summary.calls[status]
        calls.add_row(Text(status, style=_STYLE[status]), f"{count:,}", f"{count / total:.1%}")
    calls.add_row("total", f"{summary.calls['total']:,}", "")
    console.print(state)
    console.print(calls)
    if summary.reasons:
        console.print(Text("\nWhy", style="bold"))
    for group in summary.reasons:
        line = Text(f"{group['count']:>10,}  ")
        line.append(group["status"], style=_STYLE[group["status"]])
        line.append(f"  {printable(group['path'])}: {printable(group['reason'])}")
        console.print(line)
        for sample in group["samples"]:
            where = Text(f"{'':12}e.g. {printable(sample['origin'])}", style="dim")
            if sample.get("repeats"):
                where.append(f", repeating {printable(sample['repeats'])}")
            console.print(where)
    for broken in summary.broken:
        console.print(Text(f"unreadable: {printable(broken.path)}: {printable(broken.reason)}",
                           style="red"))
    for name, folder in summary.tables.items():
        console.print(Text(f"{name}: {printable(folder)}", style="dim"))
