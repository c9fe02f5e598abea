"""Practice logs clients share back: upload, check, keep (owner-only), show by week, delete.

A log comes back only when the client shares it from the player and the therapist uploads
the file here. It is checked by `cft_audio.practice` (a bad file gets one line and nothing
is kept), kept as JSON under the output folder's hidden state folder (never served by
`/files/`), matched to the renders its key names, and shown week by week with a small
chart drawn as inline SVG on the server (nothing external; the strict content policy holds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import PracticeLogError
from ..practice import MAX_BYTES, Week, read_log, weeks
from .library import list_renders
from .pages import show, state_of
from .practice_logs import PracticeLogs, StoredLog, matching

SUFFIXES = (".txt", ".json")
BODY_BYTES = 16 * 2**20
"""Largest upload body: a shared file well over MAX_BYTES still reaches the checker's one line."""
"""What a shared log file may be called."""
CHART = {"width": 336, "height": 150, "left": 30, "right": 8, "top": 10, "bottom": 24}
"""The week chart's size and margins (SVG user units)."""


def logs_of(request: HttpRequest) -> PracticeLogs:
    """The kept logs of the app's output folder."""
    return PracticeLogs(state_of(request).output)


async def practice_page(request: HttpRequest) -> Response:
    """The kept logs and the form to upload one."""
    return await _listing(request, deleted=request.query_params.get("deleted") == "1")


async def _listing(request: HttpRequest, status: int = 200, **context: Any) -> Response:
    state = state_of(request)
    kept = await run_in_threadpool(logs_of(request).all)
    renders = await run_in_threadpool(list_renders, state.output)
    rows = [{"stored": s, "renders": matching(s.log, renders)} for s in kept]
    return show(request, "practice.html", status=status, rows=rows,
                largest=f"{MAX_BYTES / 1e6:g} MB", suffixes=", ".join(SUFFIXES), **context)


async def upload_log(request: HttpRequest) -> Response:
    """Check an uploaded log; keep it and show it, or say in one line why nothing was kept."""
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("log")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await _listing(request, 422, error="Choose the practice log file your client "
                              "shared (a .txt file).")
    name = Path(upload.filename).name
    if Path(name).suffix.lower() not in SUFFIXES:
        return await _listing(request, 422, error=f"Nothing was kept: {name!r} is not a shared "
                              f"practice log (allowed: {', '.join(SUFFIXES)}).")
    data = await upload.read(MAX_BYTES + 1)
    try:
        log = await run_in_threadpool(read_log, data)
    except PracticeLogError as error:
        return await _listing(request, 422, error=f"Nothing was kept: {error}.")
    stored = await run_in_threadpool(logs_of(request).add, log)
    return RedirectResponse(f"/practice/{stored.id}", status_code=303)


def _stored(request: HttpRequest) -> StoredLog:
    stored = logs_of(request).get(request.path_params["log"])
    if stored is None:
        raise HTTPException(404, "No such practice log")
    return stored


async def log_page(request: HttpRequest) -> Response:
    """One log, week by week: sessions practised, a before/after chart, the notes."""
    stored = await run_in_threadpool(_stored, request)
    renders = await run_in_threadpool(list_renders, state_of(request).output)
    shown = [{"week": w, "chart": week_chart(w)} for w in reversed(weeks(stored.log.entries))]
    return show(request, "practice_log.html", stored=stored, weeks=shown,
                renders=matching(stored.log, renders), chart=CHART)


async def delete_log(request: HttpRequest) -> Response:
    """Delete one kept log."""
    stored = await run_in_threadpool(_stored, request)
    await run_in_threadpool(logs_of(request).delete, stored.id)
    return RedirectResponse("/practice?deleted=1", status_code=303)


def week_chart(week: Week) -> dict[str, Any]:
    """Where the week chart draws things: a column per day, a mark per entry (0–10 upwards)."""
    width = CHART["width"] - CHART["left"] - CHART["right"]
    height = CHART["height"] - CHART["top"] - CHART["bottom"]
    column = width / 7
    days = [{"x": round(CHART["left"] + column * (n + .5), 1), "label": d.strftime("%a")}
            for n, d in enumerate(week.days)]
    marks = []
    for n, day in enumerate(week.days):
        today = [e for e in week.entries if e.at.date() == day]
        step = min(12.0, column / (len(today) + 1))
        for i, entry in enumerate(today):
            x = days[n]["x"] + (i - (len(today) - 1) / 2) * step
            marks.append({"x": round(x, 1), "before": _y(entry.before, height),
                          "after": _y(entry.after, height), "entry": entry})
    levels = [{"value": v, "y": _y(v, height)} for v in (0, 5, 10)]
    return {"days": days, "marks": marks, "levels": levels,
            "base": CHART["top"] + height}


def _y(value: int | None, height: float) -> float | None:
    """The height on the chart of a 0–10 rating (None where the client left it out)."""
    return None if value is None else round(CHART["top"] + height * (10 - value) / 10, 1)


def routes() -> list[Route]:
    """The practice log routes (behind the app's token and CSRF checks like every page)."""
    return [
        Route("/practice", practice_page, methods=["GET"]),
        Route("/practice", upload_log, methods=["POST"]),
        Route("/practice/{log}", log_page, methods=["GET"]),
        Route("/practice/{log}/delete", delete_log, methods=["POST"]),
    ]
