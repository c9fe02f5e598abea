"""JSON and file endpoints: job progress, live previews, and files from the output folder."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import CftAudioError
from ..schema import BED_SAMPLE_FIELDS, VOICE_SAMPLE_FIELDS, BedSample, VoiceSample
from ..sound.beds import BEDS
from . import forms
from .bodies import read_form
from .csrf import request_token
from .library import download_name, find_render
from .pages import held_of, reach_of, state_of
from .security import OutsideFolder, safe_path
from .uploads import KINDS, form_files, saved_name, typed_paths

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
    """The live preview: the script with timing marks and its estimated length, or the errors.

    The page sends the own template it has chosen (the only file it sends), else the form's
    id, for a template held for it; the preview then shows that template.
    """
    state = state_of(request)
    form = await read_form(request, {"script-file": form_files()["script-file"]})
    with tempfile.TemporaryDirectory(prefix="cft-preview-") as folder:
        try:
            values = forms.form_values(form)
            script, errors = await _own_file(request, form, "script-file", Path(folder))
            typed = {k: v for k, v in typed_paths(form).items() if k != "script-file"}
        finally:
            await form.close()
        files = {"script": script} if script else {}
        parsed = await run_in_threadpool(forms.parse_form, values, None,
                                         state.previewer.check, files)
        errors = {**parsed.errors, **typed, **errors}
        if "script" in errors and script:
            errors["script-file"] = errors.pop("script").replace(str(script), script.name)
        reach = await run_in_threadpool(reach_of, state, parsed)
        hint = {"minutes_hint": forms.minutes_hint(reach)} if reach else {}
        if parsed.request is None or errors:
            return JSONResponse({"ok": False, "errors": errors, "warnings": parsed.warnings,
                                 **hint}, headers=_PRIVATE)
        preview = await run_in_threadpool(state.previewer.script, parsed.request)
    return JSONResponse({"ok": True, "errors": {}, "warnings": parsed.warnings, **hint,
                         **preview.as_json()}, headers=_PRIVATE)


async def _own_file(request: HttpRequest, form: Any, name: str,
                    folder: Path) -> tuple[Path | None, dict[str, str]]:
    """The own file a preview uses: the one sent (saved in `folder`), else the one held for
    the form (unless "remove-NAME" is ticked); with any problem, by input name."""
    kind = KINDS[name]
    upload = form.get(name)
    if upload is not None and not isinstance(upload, str) and upload.filename:
        saved = saved_name(kind, upload.filename)
        if saved is None:
            return None, {name: f"{kind.label}: {Path(upload.filename).name!r} is not a file "
                                f"of the right type (allowed: {', '.join(kind.suffixes)})"}
        path = folder / saved
        path.write_bytes(await upload.read())
        return path, {}
    held = held_of(request).files(str(form.get("form-id") or ""), request_token(request.scope))
    if name in held and form.get(f"remove-{name}") != "1":
        return held[name].path, {}
    return None, {}


async def preview_voice(request: HttpRequest) -> Response:
    """A few seconds in the chosen voice, tone and pace (the name said, with --say)."""
    state = state_of(request)
    values = forms.form_values(request.query_params)
    values.pop("format")  # the track's formats; a sample is always an MP3
    sample, errors = await run_in_threadpool(forms.parse_sample, VoiceSample, VOICE_SAMPLE_FIELDS,
                                             values, state.previewer.check_voice)
    if sample is None:
        return JSONResponse({"ok": False, "errors": errors}, status_code=422)
    try:
        data = await run_in_threadpool(state.previewer.voice, sample)
    except CftAudioError as error:
        return JSONResponse({"ok": False, "errors": {"voice": str(error)}}, status_code=500)
    return Response(data, media_type="audio/mpeg", headers=_PRIVATE)


async def preview_background(request: HttpRequest) -> Response:
    """A few seconds of the chosen background at about its level between sentences.

    GET: a listed background. POST: the own sound the page has chosen, or the one held for
    the form (its id), in place of the listed one.
    """
    state = state_of(request)
    own: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="cft-preview-") as folder:
        if request.method == "POST":
            form = await read_form(request, {"background-file": form_files()["background-file"]})
            try:
                path, errors = await _own_file(request, form, "background-file", Path(folder))
                source: Any = form
            finally:
                await form.close()
            if errors or path is None:
                return JSONResponse({"ok": False, "errors": errors or {
                    "background-file": "Choose your own background sound first."}},
                    status_code=422)
            own = {"background": path}
        else:
            source = request.query_params
            if source.get("background", "ocean") not in BEDS:  # never a server path
                return JSONResponse({"ok": False, "errors": {"background": forms.NOT_LISTED}},
                                    status_code=422)
        return await _bed_sample(state, source, own)


async def _bed_sample(state: Any, source: Any, own: dict[str, Path]) -> Response:
    """The background sample at the level the form asks (a listed bed or an own file)."""
    values = forms.form_values(source)
    values["background"] = str(own.get("background") or source.get("background") or "ocean")
    sample, errors = await run_in_threadpool(forms.parse_sample, BedSample, BED_SAMPLE_FIELDS,
                                             values, state.previewer.check_bed)
    if sample is None:
        errors = {("background-file" if own and k == "background" else k):
                  v.replace(str(own.get("background", "")), "your file") if own else v
                  for k, v in errors.items()}
        return JSONResponse({"ok": False, "errors": errors}, status_code=422)
    bed = own.get("background") or sample.background
    data = await run_in_threadpool(state.previewer.background, bed, sample.bed_level,
                                   sample.accessible)
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
        Route("/api/preview/background", preview_background, methods=["GET", "POST"]),
        Route("/files/{path:path}", output_file),
    ]
