"""Batch manifests uploaded to the app: saved privately, checked like the CLI, run off-thread."""

from __future__ import annotations

import functools
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..files import private_folder
from ..workers import GRACE_SECONDS, TERM_SECONDS
from .bodies import FIELD_BYTES, MB, read_form
from .jobs import Job, JobCancelled, QueueFull
from .library import STATE_FOLDER
from .pages import busy, counted, show, state_of
from .uploads import KINDS

if TYPE_CHECKING:
    from .state import WebState

MAX_MANIFEST_BYTES = 1_000_000
"""Largest manifest accepted."""
MAX_CSV_BYTES = 5_000_000
"""Largest participants spreadsheet accepted."""
MAX_OTHER_BYTES = 50 * MB
"""Largest template or sound uploaded with a manifest (a background sound's own limit)."""
OTHER_BYTES = 60 * MB
"""Most bytes of templates and sounds uploaded with one manifest, in all."""
OTHER_SUFFIXES = (".j2", *KINDS["background-file"].suffixes)
"""What may come with a manifest: the templates and sounds it names."""
BODY_BYTES = MAX_MANIFEST_BYTES + MAX_CSV_BYTES + OTHER_BYTES + FIELD_BYTES
"""Largest body of the batch upload: every file at its limit, and the form's fields."""
BATCH_FILES = {"manifest": ("Manifest", MAX_MANIFEST_BYTES),
               "participants": ("Participants spreadsheet", MAX_CSV_BYTES),
               "files": ("Templates and sounds", MAX_OTHER_BYTES)}
"""The batch form's file inputs: (label, largest size) by input name."""
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    """A manifest (and participants CSV) saved in a private folder for one check or run."""

    folder: Path
    manifest: Path
    participants: Path | None
    files: dict[str, Path]
    """Templates and sounds uploaded with it, by the name they were uploaded as."""

    def discard(self) -> None:
        """Delete the uploaded files (they hold participants' names)."""
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Received:
    """What the batch form sent: the manifest, a participants CSV, templates and sounds."""

    manifest: tuple[str, bytes]
    participants: tuple[str, bytes] | None = None
    files: tuple[tuple[str, bytes], ...] = ()


def save_upload(root: Path, received: Received) -> Upload:
    """Save the uploaded files under the output folder's hidden state folder (owner only)."""
    folder = root / STATE_FOLDER / "uploads" / secrets.token_hex(8)
    private_folder(folder, exist_ok=False)
    path = folder / _safe_name(received.manifest[0], (".yaml", ".yml"), "manifest.yaml")
    path.write_bytes(received.manifest[1])
    csv = None
    if received.participants is not None:
        csv = folder / _safe_name(received.participants[0], (".csv",), "participants.csv")
        csv.write_bytes(received.participants[1])
    files = {}
    if received.files:
        private_folder(folder / "files", exist_ok=False)
    for name, data in received.files:  # by the name the manifest gives it
        files[name] = folder / "files" / _safe_name(name, OTHER_SUFFIXES, "file")
        files[name].write_bytes(data)
    for file in (path, csv, *files.values()):
        if file is not None:
            file.chmod(0o600)
    return Upload(folder, path, csv, files)


def _safe_name(name: str, suffixes: tuple[str, ...], fallback: str) -> str:
    """A plain file name (no folders) with one of `suffixes`, or the fallback."""
    base = _SAFE_NAME.sub("-", Path(name or "").name).strip(".-")
    return base if base and base.lower().endswith(suffixes) else fallback


def batch_folder(root: Path, manifest: Path) -> Path:
    """Where a manifest's packs go: output/MANIFEST-NAME, as the CLI does."""
    return root / _SAFE_NAME.sub("-", manifest.stem).strip(".-")


def run_plan(plan: Any, job: Job, make_executor: Callable[[], Any], root: Path) -> dict[str, Any]:
    """Run a checked plan (its own worker processes), reporting into `job`; a summary back."""
    from ..batch import run_batch

    executor = make_executor()
    job.on_cancel = executor.cancel  # cancel: its tasks stop now (partial files swept)
    if not job.active:
        raise JobCancelled("cancelled")

    def progress(phase: str, done: int, total: int) -> None:
        if not job.active:
            raise JobCancelled("cancelled")
        job.report_count(phase, done, total)

    job.stage = "gather"  # until the first sentences are spoken
    # a cancelled batch on this folder lets go within the stop policy's bound: wait that long
    report = run_batch(plan, executor, progress, lock_wait=GRACE_SECONDS + TERM_SECONDS + 1)
    kept = sum(1 for s in report.statuses if s.state == "kept")
    base = root.resolve()

    def rel(path: Path) -> str:
        return Path(path).resolve().relative_to(base).as_posix()

    return {
        "url": f"/batch/{job.id}",
        "folder": rel(plan.output),
        "tracks": len(report.statuses),
        "packs": len(plan.packs),
        "rendered": len(report.statuses) - kept - len(report.failed),
        "kept": kept,
        "failed": [f"{Path(s.track.path).relative_to(plan.output)}: {s.error}"
                   for s in report.failed],
        "spoken": report.spoken,
        "sentences": report.sentences,
        "zips": [rel(z) for z in report.zips],
        "pack_list": _packs(plan, rel),
        "summary": [rel(p) for p in report.summary],
    }


def _packs(plan: Any, rel: Callable[[Path], str]) -> list[dict[str, str]]:
    """Each pack's name, phone page and zip (if made), in participant order (p2 before p10)."""
    from ..batch.pack import PLAYER

    found = []
    for pack in sorted(plan.packs, key=lambda p: _natural(p.folder.name)):
        page, archive = pack.folder / PLAYER, pack.folder.with_name(pack.folder.name + ".zip")
        found.append({"name": pack.folder.name, "page": rel(page) if page.is_file() else "",
                      "zip": rel(archive) if archive.is_file() else ""})
    return found


def _natural(name: str) -> list[Any]:
    """A sort key that orders the numbers inside names by value (p2 before p10)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower())
            for part in re.split(r"(\d+)", name)]


async def batch_page(request: HttpRequest) -> Response:
    """Upload a programme manifest (and participants CSV) to check or render."""
    return show(request, "batch.html", report=None, checked=None)


async def batch_upload(request: HttpRequest) -> Response:
    """Check the manifest like `cft-audio batch`; show every problem, or run it off-thread."""
    from ..batch.errors import ManifestError

    state = state_of(request)
    form = await read_form(request, BATCH_FILES)
    try:
        received = await _received(form)
        name_files, action = form.get("name_files") == "1", form.get("action")
    finally:
        await form.close()
    if isinstance(received, tuple):
        return show(request, "batch.html", status=received[0], checked=None,
                    report={"lines": [received[1]], "problems": []})
    upload = save_upload(state.output, received)
    try:
        plan = await run_in_threadpool(
            state.previewer.plan_batch, upload.manifest,
            batch_folder(state.output, upload.manifest), upload.participants, name_files,
            upload.files)
    except ManifestError as error:
        upload.discard()
        problems = [{"where": p.where, "field": p.field, "message": p.message,
                     "allowed": p.allowed or ""} for p in error.problems]
        return show(request, "batch.html", status=422, checked=None,
                     report={"lines": [f"cft-audio: error: {line}" for line in error.lines()],
                             "problems": problems, "title": str(error)})
    checked = (f"{Path(received.manifest[0]).name}: ok, {counted(len(plan.packs), 'participant')}, "
               f"{counted(len(plan.tracks), 'track')}")
    if action != "run":
        upload.discard()
        return show(request, "batch.html", report=None, checked=checked)
    return _start(request, plan, Resume(upload, name_files))


@dataclass(frozen=True)
class Resume:
    """What a batch runs from (kept after a cancel, so it can be resumed)."""

    upload: Upload
    name_files: bool


def _start(request: HttpRequest, plan: Any, resume: Resume) -> Response:
    """Run a checked plan as a batch job; its page, or the busy page."""
    state = state_of(request)
    try:
        job = state.jobs.submit_thread(
            f"{plan.manifest.programme.title} ({counted(len(plan.tracks), 'track')})",
            functools.partial(_run_batch, plan=plan, resume=resume, state=state))
    except QueueFull as error:
        resume.upload.discard()
        return busy(request, error)
    job.resume = resume  # offered once it is cancelled
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def batch_resume(request: HttpRequest) -> Response:
    """Run a cancelled batch again from its kept upload (finished tracks are kept)."""
    state = state_of(request)
    job = state.jobs.get(request.path_params["job"])
    if job is None or job.state != "cancelled" or job.resume is None:
        raise HTTPException(404, "No cancelled batch to resume")
    resume, job.resume = job.resume, None
    await run_in_threadpool(job.future.result, GRACE_SECONDS + TERM_SECONDS)  # it has stopped
    job.kept = None
    upload = resume.upload
    plan = await run_in_threadpool(
        state.previewer.plan_batch, upload.manifest, batch_folder(state.output, upload.manifest),
        upload.participants, resume.name_files, upload.files)
    return _start(request, plan, resume)



async def _received(form: Any) -> Received | tuple[int, str]:
    """The batch form's files, or (status, the one line saying what is wrong)."""
    manifest = form.get("manifest")
    if manifest is None or isinstance(manifest, str) or not manifest.filename:
        return 422, "manifest: choose a manifest file (.yaml)"
    data = await manifest.read(MAX_MANIFEST_BYTES + 1)
    people = form.get("participants")
    table = None
    if people is not None and not isinstance(people, str) and people.filename:
        table = (people.filename, await people.read(MAX_CSV_BYTES + 1))
    if len(data) > MAX_MANIFEST_BYTES or (table and len(table[1]) > MAX_CSV_BYTES):
        return 413, "the file is too large"
    others = []
    for item in form.getlist("files"):
        if isinstance(item, str) or not item.filename:
            continue
        name = Path(item.filename).name
        if not name.lower().endswith(OTHER_SUFFIXES):
            return 422, (f"templates and sounds: {name[:40]!r} is neither a template nor a "
                         f"sound (allowed: {', '.join(OTHER_SUFFIXES)})")
        others.append((name, await item.read(MAX_OTHER_BYTES + 1)))
    if sum(len(data) for _, data in others) > OTHER_BYTES:
        return 413, f"templates and sounds: more than {OTHER_BYTES // MB} MB in all"
    return Received((manifest.filename, data), table, tuple(others))


def _run_batch(job: Job, *, plan: Any, resume: Resume, state: WebState) -> dict[str, Any]:
    """Run the batch in this thread (the app's pool renders the tracks).

    Its upload is removed when it ends, except after a cancel: then it is kept for a resume.
    """
    try:
        return run_plan(plan, job, state.batch_executor, state.output)
    finally:
        if job.cancelled and not state.jobs.closed:
            job.kept = resume.upload.folder
        else:
            job.resume = None
            resume.upload.discard()


async def batch_result(request: HttpRequest) -> Response:
    """What a finished batch made: counts, failures, pack zips and the summary."""
    job = state_of(request).jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404, "No such batch")
    if job.state != "done":
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    return show(request, "batch_done.html", job=job, result=job.result)


def routes() -> list[Route]:
    """The batch upload routes."""
    return [
        Route("/batch", batch_page, methods=["GET"]),
        Route("/batch", batch_upload, methods=["POST"]),
        Route("/batch/{job}", batch_result),
        Route("/batch/{job}/resume", batch_resume, methods=["POST"]),
    ]
