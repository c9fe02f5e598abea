"""`cft-audio practice show FILE`: a shared practice log as a table (or its JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .practice import as_json, read_log_file, weeks

COLUMNS = ("when", "track", "before", "after", "note")


@click.group()
def practice() -> None:
    """Practice logs clients share from their player page (kept on their phone until then)."""


@practice.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json_", is_flag=True, help="Print the checked log as JSON.")
def show(file: Path, as_json_: bool) -> None:
    """Check FILE (a shared practice log) and print its entries, week by week."""
    log = read_log_file(file)
    if as_json_:
        click.echo(json.dumps(as_json(log), indent=1, ensure_ascii=False))
        return
    click.echo(f"{log.source.title} ({log.source.kind} {log.source.key}): "
               f"{len(log.entries)} {'entry' if len(log.entries) == 1 else 'entries'}")
    for week in weeks(log.entries):
        click.echo(f"\nWeek of {week.start.isoformat()}: {len(week.entries)} practised")
        rows = [(e.at.strftime("%a %d %b %H:%M"), e.track, _rating(e.before),
                 _rating(e.after), " ".join(e.note.split())) for e in week.entries]
        widths = [max(len(c), *(len(r[n]) for r in rows)) for n, c in enumerate(COLUMNS)]
        for row in (COLUMNS, *rows):
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _rating(value: int | None) -> str:
    return "-" if value is None else str(value)
