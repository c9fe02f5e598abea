"""JSON and file endpoints: job progress, live previews, and files from the output folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import CftAudioError
from ..sound.beds import BEDS
from . import forms
from .bodies import read_form
from .library import download_name, find_render
from .pages import state_of
from .security import OutsideFolder, safe_path
from .uploads import typed_paths

_MEDIA = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "opus": "audio/ogg", "flac": "audio/flac",
          "wav": "audio/wav", "vtt": "text/vtt; charset=utf-8", "zip": "application/zip",
          "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
          "m3u8": "audio/mpegurl",
          "txt": "text/plain; charset=utf-8", "json": "application/json"}
"""Media types of the files the app serves."""
_PRIVATE = {"Cache-Control": "private, no-store"}
KEPT = {"Cache-Control": "private, max-age=2592000"}
"""Client pages' audio and captions: kept by the phone's browser, for listening offline."""


async def job_status(request: HttpRequest) -> Response:
    """A job's stage and percentage, polled by the progress page."""
    job = state_of(request).jobs.get(request.path_params["job"])
    if job is None:
        return JSONResponse({"error": "no such job"}, status_code=404)
    body = job.as_json()
    if job.state == "done" and isinstance(job.result, str):
        body["url"] = "/renders/" + quote(job.result, safe="/")
    elif job.state == "done" and isinstance(job.result, dict):
        body["url"] = job.result.get("url")
    return JSONResponse(body, headers=_PRIVATE)


async def preview_script(request: HttpRequest) -> Response:
    """The live preview: the script with timing marks and its estimated length, or the errors."""
    state = state_of(request)
    form = await read_form(request, {})  # no files: the page leaves them out
    values = forms.form_values(form)
    parsed = await run_in_threadpool(forms.parse_form, values, None, state.previewer.check)
    typed = typed_paths(form)
    if parsed.request is None or typed:
        return JSONResponse({"ok": False, "errors": {**parsed.errors, **typed},
                             "warnings": parsed.warnings}, headers=_PRIVATE)
    preview = await run_in_threadpool(state.previewer.script, parsed.request)
    return JSONResponse({"ok": True, "errors": {}, "warnings": parsed.warnings,
                         **preview.as_json()}, headers=_PRIVATE)


async def preview_voice(request: HttpRequest) -> Response:
    """A few seconds in the chosen voice, tone and pace (the name said, with --say)."""
    state = state_of(request)
    values = forms.form_values(request.query_params)
    keep = ("voice", "tone", "pace", "name", "say")
    values = {k: v for k, v in values.items() if k in keep}
    values["exercise"] = "compassionate-self"
    parsed = await run_in_threadpool(forms.parse_form, values, None, state.previewer.check)
    if parsed.request is None:
        return JSONResponse({"ok": False, "errors": parsed.errors}, status_code=422)
    try:
        data = await run_in_threadpool(state.previewer.voice, parsed.request)
    except CftAudioError as error:
        return JSONResponse({"ok": False, "errors": {"voice": str(error)}}, status_code=500)
    return Response(data, media_type="audio/mpeg", headers=_PRIVATE)


async def preview_background(request: HttpRequest) -> Response:
    """A few seconds of the chosen background at about its level between sentences."""
    state = state_of(request)
    name = request.query_params.get("background", "ocean")
    if name not in BEDS:  # a name from the list; never a server path
        return JSONResponse({"ok": False, "errors": {"background": forms.NOT_LISTED}},
                            status_code=422)
    values = forms.form_values(request.query_params)
    values = {k: v for k, v in values.items() if k in ("bed-level", "accessible")}
    values.update(exercise="safe-place", background=name)
    parsed = await run_in_threadpool(forms.parse_form, values, None, state.previewer.check)
    if parsed.request is None:
        return JSONResponse({"ok": False, "errors": parsed.errors}, status_code=422)
    level = parsed.request
    data = await run_in_threadpool(state.previewer.background, name, level.bed_level,
                                   level.accessible)
    return Response(data, media_type="audio/mpeg", headers=_PRIVATE)


def send_file(path: Path, download: bool, headers: dict[str, str] = _PRIVATE,
              filename: str | None = None) -> Response:
    """A file as its media type; `download` makes it an attachment named `filename`."""
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in _MEDIA:
        raise HTTPException(404, "Not found")
    return FileResponse(path, media_type=_MEDIA[suffix], headers=headers,
                        filename=(filename or path.name) if download else None,
                        content_disposition_type="attachment" if download else "inline")


async def output_file(request: HttpRequest) -> Response:
    """A file from the output folder (never one outside it); `?download=1` to save it."""
    try:
        path = safe_path(state_of(request).output, request.path_params["path"])
    except OutsideFolder as error:
        raise HTTPException(404, "Not found") from error
    download = request.query_params.get("download") == "1"
    return send_file(path, download, filename=_named(state_of(request).output, path)
                     if download else None)


def _named(root: Path, path: Path) -> str | None:
    """A telling download name for a render's audio or caption file (None: keep the file's
    own name); the captions share the audio's stem."""
    if path.suffix.lstrip(".") not in (*forms.FORMAT_ORDER, "vtt", "txt") \
            or not path.with_suffix(".json").is_file():
        return None
    try:
        entry = find_render(root, path.with_suffix("").relative_to(root.resolve()).as_posix())
    except (OutsideFolder, ValueError):
        return None
    return download_name(entry, path.suffix.lstrip("."))


def routes() -> list[Route]:
    """The JSON and file routes."""
    return [
        Route("/api/jobs/{job}", job_status),
        Route("/api/preview/script", preview_script, methods=["POST"]),
        Route("/api/preview/voice", preview_voice),
        Route("/api/preview/background", preview_background),
        Route("/files/{path:path}", output_file),
    ]
