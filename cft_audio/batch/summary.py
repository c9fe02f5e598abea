"""The facilitator's summary of every track: duration, loudness checks and status (CSV, HTML)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

from ..clock import clock
from ..pages import render_page
from .plan import Plan
from .status import TrackStatus

COLUMNS = ("participant", "track", "week", "exercise", "title", "file", "duration",
           "seconds", "loudness_lufs", "true_peak_dbtp", "check", "status")


def rows(plan: Plan, statuses: Sequence[TrackStatus]) -> list[dict[str, str]]:
    """One row per track (names only when the plan names files by name)."""
    found = []
    names = {p.participant.id: p.participant.name for p in plan.packs}
    for status in statuses:
        track = status.track
        row = {
            "participant": track.participant,
            "track": str(track.number),
            "week": str(track.week),
            "exercise": track.exercise,
            "title": track.title,
            "file": track.path.relative_to(plan.output).as_posix(),
            "duration": clock(status.seconds) if status.finished else "",
            "seconds": f"{status.seconds:.1f}" if status.finished else "",
            "loudness_lufs": _figure(status.loudness),
            "true_peak_dbtp": _figure(status.true_peak),
            "check": status.check,
            "status": status.state + (f": {status.error}" if status.error else ""),
        }
        if plan.name_files:
            row = {"participant": row["participant"], "name": names[track.participant],
                   **{k: v for k, v in row.items() if k != "participant"}}
        found.append(row)
    return found


def _figure(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else ""


def summary_csv(plan: Plan, statuses: Sequence[TrackStatus]) -> str:
    """The summary as CSV (cells that a spreadsheet would run as formulas are quoted off)."""
    table = rows(plan, statuses)
    out = io.StringIO()
    columns = list(table[0]) if table else list(COLUMNS)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "@") or value.startswith("-=") else value


def summary_html(plan: Plan, statuses: Sequence[TrackStatus]) -> str:
    """The summary as a standalone HTML table with totals."""
    table = rows(plan, statuses)
    finished = sum(1 for s in statuses if s.finished)
    total = sum(s.seconds for s in statuses if s.finished)
    return render_page(
        "summary.html.j2", programme=plan.manifest.programme, table=table,
        columns=list(table[0]) if table else list(COLUMNS),
        finished=finished, count=len(statuses), total=clock(total))
