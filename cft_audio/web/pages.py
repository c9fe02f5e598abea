"""HTML pages: home, the exercise forms, progress, a render and the library."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import CftAudioError
from ..limits import MAX_MINUTES, MIN_MINUTES
from ..pipeline.scripts import reach_words
from ..script.catalogue import EXERCISES
from ..voices.profiles import VoiceProfile
from . import forms
from .bodies import read_form
from .csrf import request_token
from .held import HeldFiles, new_form_id
from .jobs import LABELS, QueueFull
from .library import RenderEntry, delete_render, download_stem, find_render, list_renders
from .practice_logs import PracticeLogs
from .previews import render_estimate
from .renders import render_format, render_new
from .security import OutsideFolder
from .uploads import KINDS, Uploads, form_files, kept_files, limits, save_uploads

if TYPE_CHECKING:
    from .state import WebState


def state_of(request: HttpRequest) -> WebState:
    """The app's shared state (settings, folders, jobs, previewer)."""
    return request.app.state.web


def counted(number: int, noun: str) -> str:
    """"1 track", "2 tracks"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def show(request: HttpRequest, name: str, status: int = 200, **context: Any) -> Response:
    """Render a template with the common context."""
    state = state_of(request)
    return state.templates.TemplateResponse(
        request, name, {"exercises": EXERCISES, "on_lan": state.on_lan,
                        "csrf": request_token(request.scope), **context},
        status_code=status)


async def home(request: HttpRequest) -> Response:
    """The exercises to choose from, and recent renders."""
    recent = list_renders(state_of(request).output)[:5]
    return show(request, "home.html", recent=recent)


def _exercise(request: HttpRequest) -> str:
    exercise = request.path_params["exercise"]
    if exercise not in EXERCISES:
        raise HTTPException(404, "No such exercise")
    return exercise


async def form_page(request: HttpRequest) -> Response:
    """The form for one exercise; `?from=RENDER` starts from a past render's settings."""
    exercise = _exercise(request)
    values = {**forms.defaults(exercise), "form-id": new_form_id()}
    source = request.query_params.get("from")
    kept: dict[str, Path] = {}
    if source:
        entry = _entry(request, source)
        values = forms.values_from_request(entry.request, tuple(entry.files))
        values["exercise"] = exercise
        values.update({"from": entry.id, "form-id": new_form_id()})
        kept = kept_files(entry.request, entry.record.parent)
        if "background-file" in kept or values["background"] not in forms.options()["backgrounds"]:
            values["background"] = forms.defaults(exercise)["background"]
    previewer = state_of(request).previewer
    parsed = await run_in_threadpool(forms.parse_form, values, None, previewer.check,
                                     {KINDS[n].field: p for n, p in kept.items()
                                      if n != "script-file"})
    preview = None
    if parsed.request is not None:
        preview = await run_in_threadpool(previewer.script, parsed.request)
    return _form(request, exercise, values, parsed.errors, preview=preview,
                 kept={name: path.name for name, path in kept.items()},
                 warnings=parsed.warnings,
                 reach=await run_in_threadpool(reach_of, state_of(request), parsed))


def _form(request: HttpRequest, exercise: str, values: dict[str, Any],
          errors: dict[str, str], status: int = 200, preview: Any = None,
          kept: dict[str, str] | None = None, warnings: dict[str, str] | None = None,
          held: dict[str, str] | None = None, busy: str = "", reach: str = "") -> Response:
    state = state_of(request)
    renderer = state.previewer.renderer
    return show(
        request, "form.html", status=status, exercise=EXERCISES[exercise], values=values,
        errors=errors, options=forms.options(), personal=forms.PERSONAL_FIELDS[exercise],
        held=held or {}, busy=busy, kinds=tuple(KINDS),
        limits=limits(), labels=forms.LABELS, kept=kept or {},
        minutes_hint=reach or _minutes_hint(state, exercise), warnings=warnings or {},
        inferred_pronoun=getattr(preview, "pronoun", ""),
        vocabulary=renderer.vocabulary, preview=preview.as_json() if preview else None,
        sections=forms.sections(exercise), uploads=forms.uploads(), choices=forms.choices({
            "voice": [(p.id, voice_label(p)) for p in renderer.profiles.values()],
            "tone": [(name, f"{name.capitalize()}: {tone.description}")
                     for name, tone in forms.options()["tones"].items()],
            "background": [(name, name.replace("-", " ").capitalize())
                           for name in forms.options()["backgrounds"]],
            "format": [(fmt, fmt.upper()) for fmt in forms.FORMAT_ORDER]}),
    )


def voice_label(profile: VoiceProfile) -> str:
    """How the form names a voice: its name and id, then who it is (accent, gender)."""
    shown = f"{profile.name} ({profile.id})" if profile.name and profile.name != profile.id \
        else profile.id
    who = ", ".join(x for x in (profile.accent, profile.gender) if x)
    return f"{shown}: {who}" if who else shown


def _minutes_hint(state: WebState, exercise: str) -> str:
    """The minutes this exercise can reach with default settings, for the field's hint."""
    try:
        return reach_words(*state.previewer.minutes_range(exercise))
    except CftAudioError:  # a hint only: fall back to the track limits
        return reach_words(MIN_MINUTES, MAX_MINUTES)


def reach_of(state: WebState, parsed: forms.FormResult) -> str:
    """The minutes the form's request can reach as set (voice, pace, form…); "" if unknown."""
    if parsed.nearest is None:
        return ""
    try:
        return reach_words(*state.previewer.reach(parsed.nearest))
    except CftAudioError:
        return ""


async def submit_form(request: HttpRequest) -> Response:
    """Check the form and its uploads like the CLI would; render off the request thread.

    A form that does not go through (a problem, a full queue) is shown again as it was,
    its good files held for it (see `held`), never silently dropped.
    """
    exercise = _exercise(request)
    state = state_of(request)
    form = await read_form(request, form_files())
    try:
        values = forms.form_values(form)
        form_id = str(form.get("form-id") or "") or new_form_id()
        held = held_of(request).files(form_id, request_token(request.scope))
        uploads = await save_uploads(form, state.output, _kept_from(request, form), held)
        values.update(exercise=exercise, **{"from": form.get("from") or "", "form-id": form_id})
    finally:
        await form.close()
    good = {f: p for f, p in uploads.paths.items() if uploads.input_for(f) not in uploads.errors}
    parsed = await run_in_threadpool(forms.parse_form, values, None, state.previewer.check,
                                     good)
    errors = {**uploads.errors, **{
        uploads.input_for(field): uploads.relabel(field, _unplaced(message, uploads))
        for field, message in parsed.errors.items()}}
    if errors or parsed.request is None:
        return await _again(request, exercise, values, forms.ordered(errors), uploads, parsed)
    work = functools.partial(render_new, request=parsed.request, formats=parsed.formats,
                             root=state.output, uploads=uploads.paths)
    preview = await run_in_threadpool(state.previewer.script, parsed.request)
    title = EXERCISES[exercise].title if parsed.request.script is None else preview.title
    try:
        job = state.jobs.submit(title, work, steps=len(parsed.formats), cleanup=uploads.folder,
                                estimate=render_estimate(preview.seconds))
    except QueueFull as error:
        return await _again(request, exercise, values, {}, uploads, parsed,
                            busy=f"Nothing was started: {error}.")
    held_of(request).release(form_id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def held_of(request: HttpRequest) -> HeldFiles:
    """The files held for forms that did not go through."""
    return request.app.state.held


async def _again(request: HttpRequest, exercise: str, values: dict[str, Any],
                 errors: dict[str, str], uploads: Uploads, parsed: forms.FormResult,
                 busy: str = "") -> Response:
    """The form shown again as sent, its good files held for it; 422, or 503 when busy."""
    state = state_of(request)
    held = await run_in_threadpool(held_of(request).hold, values["form-id"],
                                   request_token(request.scope), uploads.good(errors))
    try:
        preview = await run_in_threadpool(_nearest_preview, state, parsed)
    finally:
        uploads.discard()
    kept = {n: p.name for n, p in _kept_from_id(request, values.get("from")).items()}
    return _form(request, exercise, values, errors, status=503 if busy else 422,
                 preview=preview, kept=kept, held={n: h.shown for n, h in held.items()},
                 warnings=parsed.warnings, busy=busy,
                 reach=await run_in_threadpool(reach_of, state, parsed))


def _kept_from(request: HttpRequest, form: Any) -> dict[str, Path]:
    """The own files of the render a "re-render with changes" form started from."""
    return _kept_from_id(request, form.get("from"))


def _kept_from_id(request: HttpRequest, source: Any) -> dict[str, Path]:
    """The own files of past render `source` (none if it is gone)."""
    if not isinstance(source, str) or not source:
        return {}
    try:
        entry = _entry(request, source)
    except HTTPException:  # deleted meanwhile: nothing to keep
        return {}
    return kept_files(entry.request, entry.record.parent)


def _nearest_preview(state: WebState, parsed: forms.FormResult) -> Any:
    """The script as it would be with the failing fields at their defaults (or None)."""
    if parsed.nearest is None:
        return None
    try:
        return state.previewer.script(parsed.nearest)
    except CftAudioError:
        return None


def _unplaced(message: str, uploads: Uploads) -> str:
    """A message without the private folder an upload was saved in."""
    for path in uploads.paths.values():
        message = message.replace(str(path), path.name)
    return message


def busy(request: HttpRequest, error: QueueFull) -> Response:
    """The clear refusal when the queue is full (503, with what to do)."""
    return show(request, "error.html", status=503, status_code=503, title="Busy",
                detail=f"Nothing was started: {error}.")


async def job_page(request: HttpRequest) -> Response:
    """Progress of a render; the page polls its JSON and moves on when it is ready."""
    job = state_of(request).jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "No such render job")
    return show(request, "job.html", job=job, labels=LABELS)


async def cancel_job(request: HttpRequest) -> Response:
    """Cancel a waiting or running job (its partial files and uploads are removed)."""
    jobs = state_of(request).jobs
    job = jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "No such job")
    if job.kind == "batch" and job.active:
        async with request.form() as form:
            sure = form.get("confirm") == "1"
        if not sure:  # without JavaScript's confirm(), this page asks
            return show(request, "job.html", job=job, labels=LABELS, confirming=True)
    await run_in_threadpool(jobs.cancel, job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _entry(request: HttpRequest, render_id: str) -> RenderEntry:
    try:
        return find_render(state_of(request).output, render_id)
    except OutsideFolder as error:
        raise HTTPException(404, "No such render") from error


async def render_page(request: HttpRequest) -> Response:
    """A finished render: player, downloads, script, client link and QR code."""
    state = state_of(request)
    entry = _entry(request, request.path_params["render"])
    key = state.shares.key_for(entry.id)
    client_path = f"/c/{key}/"  # the page's own folder: its service worker's scope
    client_url = f"{state.base_url()}{client_path}" if state.on_lan else None
    qr = segno.make(client_url, error="m").svg_inline(
        scale=5, dark="#2f3e46", light="#ffffff", title="QR code for the client page") \
        if client_url else None
    files = {fmt: entry.href(path, state.output) for fmt, path in entry.files.items()}
    missing = [f for f in forms.FORMAT_ORDER if f not in files]
    captions = entry.sidecar("vtt")
    return show(request, "render.html", entry=entry, files=files, missing=missing,
                 seconds=entry.seconds(), client_path=client_path, client_url=client_url,
                 qr=qr, captions=entry.href(captions, state.output) if captions else None,
                 play=playable(files), download_stem=download_stem(entry))


def playable(files: dict[str, str]) -> tuple[str, str] | None:
    """The format and href the page's player uses (what phones and browsers all play)."""
    for fmt, mime in (("mp3", "audio/mpeg"), ("m4a", "audio/mp4"), ("opus", "audio/ogg"),
                      ("wav", "audio/wav"), ("flac", "audio/flac")):
        if fmt in files:
            return files[fmt], mime
    return None


async def add_format(request: HttpRequest) -> Response:
    """Render a past track again in another format."""
    state = state_of(request)
    entry = _entry(request, request.path_params["render"])
    fmt = str((await request.form()).get("format", ""))
    if fmt not in forms.FORMAT_ORDER:
        raise HTTPException(400, "Unknown format")
    work = functools.partial(render_format, entry=entry, fmt=fmt)
    try:
        job = state.jobs.submit(f"{entry.title} ({fmt.upper()})", work, target=entry.id)
    except QueueFull as error:
        return busy(request, error)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def delete(request: HttpRequest) -> Response:
    """Delete a render with all its files (and practice logs that belonged to it alone)."""
    state = state_of(request)
    entry = _entry(request, request.path_params["render"])
    state.jobs.cancel_target(entry.id)  # a format being made of it stops and cleans up
    delete_render(state.output, entry)
    state.shares.forget(entry.id)
    PracticeLogs(state.output).forget_for(entry.id, list_renders(state.output))
    return RedirectResponse("/library?deleted=1", status_code=303)


async def library(request: HttpRequest) -> Response:
    """Past renders, newest first; search by client or exercise."""
    query = request.query_params.get("q", "").strip()
    entries = list_renders(state_of(request).output, query)
    return show(request, "library.html", entries=entries, query=query,
                 deleted=request.query_params.get("deleted") == "1")


def routes() -> list[Route]:
    """The HTML routes."""
    return [
        Route("/", home),
        Route("/new/{exercise}", form_page, methods=["GET"]),
        Route("/new/{exercise}", submit_form, methods=["POST"]),
        Route("/jobs/{job}", job_page),
        Route("/jobs/{job}/cancel", cancel_job, methods=["POST"]),
        Route("/library", library),
        Route("/renders/{render:path}/delete", delete, methods=["POST"]),
        Route("/renders/{render:path}/formats", add_format, methods=["POST"]),
        Route("/renders/{render:path}", render_page, methods=["GET"]),
    ]
