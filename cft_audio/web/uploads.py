"""Files a therapist uploads with a render: their own background sound, template, lexicon, cover.

Each upload is checked for type (by name, and by content where it is cheap) and size, then
saved in a private folder for that one job (`.web/uploads/…`, owner only). The render
copies what it uses into a hidden `.own` folder of its own (never served), so a later
"make this format" still finds them; the upload folder itself is removed when the job
ends, however it ends.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from starlette.concurrency import run_in_threadpool

from ..files import private_folder
from ..schema import BY_KEY
from .bodies import FIELD_BYTES, MB, size_text
from .held import HeldFile
from .library import STATE_FOLDER


@dataclass(frozen=True)
class Kind:
    """One upload field: the request field it fills, the types and the size it accepts."""

    field: str
    suffixes: tuple[str, ...]
    max_bytes: int
    magic: tuple[bytes, ...] = ()
    """Accepted first bytes (empty: any)."""

    @property
    def label(self) -> str:
        """How the form names the upload (the request schema's label)."""
        spec = BY_KEY[self.field]
        return spec.upload.label if spec.upload else spec.label


KINDS: dict[str, Kind] = {
    "background-file": Kind("background", (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a"),
                            50 * MB),
    "script-file": Kind("script", (".j2",), 200_000),
    "lexicon-file": Kind("lexicon", (".yaml", ".yml"), 200_000),
    "cover-file": Kind("cover", (".png", ".jpg", ".jpeg"), 5 * MB,
                       (b"\x89PNG\r\n\x1a\n", b"\xff\xd8")),
}
"""The upload inputs of the form, by input name."""
FORM_BYTES = sum(kind.max_bytes for kind in KINDS.values()) + FIELD_BYTES
"""Largest body of the render form: every upload at its limit, and its text fields."""
PREVIEW_BACKGROUND_BYTES = KINDS["background-file"].max_bytes + FIELD_BYTES
"""Largest body of a background sample of an own sound (the file and the level fields)."""


@dataclass
class Uploads:
    """The files saved for one job (by request field), or the problems with them."""

    folder: Path | None = None
    paths: dict[str, Path] = field(default_factory=dict)
    """Saved files by the request field they fill."""
    errors: dict[str, str] = field(default_factory=dict)
    """Problems by upload input name."""
    shown: dict[str, str] = field(default_factory=dict)
    """The name each saved file was chosen under, by upload input name."""

    def relabel(self, request_field: str, message: str) -> str:
        """A problem with an uploaded file, worded with its upload's label."""
        name = self.input_for(request_field)
        if name == request_field or ":" not in message:
            return message
        return f"{KINDS[name].label}:{message.split(':', 1)[1]}"

    def input_for(self, request_field: str) -> str:
        """The input a request field's problem belongs beside (its upload, if it came from one)."""
        if request_field in self.paths:
            return next(n for n, k in KINDS.items() if k.field == request_field)
        return request_field

    def good(self, errors: dict[str, str]) -> dict[str, HeldFile]:
        """The saved files without a problem in `errors` (by input name), to hold for the form."""
        found = {}
        for request_field, path in self.paths.items():
            name = self.input_for(request_field)
            if name not in errors and name not in self.errors:
                found[name] = HeldFile(path, self.shown.get(name, path.name))
        return found

    def discard(self) -> None:
        """Delete the saved files."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def form_files() -> dict[str, tuple[str, int]]:
    """The render form's file inputs: (label, largest size) by input name."""
    return {name: (kind.label, kind.max_bytes) for name, kind in KINDS.items()}


def limits() -> dict[str, str]:
    """What each upload accepts, for the form's hints."""
    return {name: f"{', '.join(kind.suffixes)}; up to {size_text(kind.max_bytes)}"
            for name, kind in KINDS.items()}


def kept_files(request: dict[str, Any], folder: Path) -> dict[str, Path]:
    """A past render's own files (by upload input name), from its hidden `.own` folder."""
    own = (folder / ".own").resolve()
    found = {}
    for name, kind in KINDS.items():
        value = request.get(kind.field)
        if not isinstance(value, str) or not value:
            continue
        path = Path(value)
        try:
            if path.resolve().parent == own and path.is_file():
                found[name] = path
        except (OSError, RuntimeError):
            continue
    return found


TYPED_PATH = "choose a file to upload (a path or file name typed in is not taken)"
"""The one line for text sent in place of a file (a server path or not)."""


def typed_paths(form: Any) -> dict[str, str]:
    """Problems with text sent in a file's place (its upload input or its field's own name).

    Only uploads are taken: the web app never reads a server path it is sent. (The
    background's own field is a select of listed names: see `forms.NOT_LISTED`.)
    """
    found = {}
    for name, kind in KINDS.items():
        for key in (name, kind.field):
            value = form.get(key) if key != "background" else None
            if isinstance(value, str) and value.strip():
                found[name] = f"{kind.label}: {TYPED_PATH}"
    return found


async def save_uploads(form: Any, root: Path, kept: dict[str, Path] | None = None,
                       held: dict[str, HeldFile] | None = None) -> Uploads:
    """Check and save the form's uploads; every problem is worded with the field's label.

    Where the form chooses no new file: a file `held` for this form (by input name) is
    used unless "remove-NAME" is ticked; else `kept`, a past render's own file, where the
    form ticks "keep-NAME". The good files stay saved beside any problem (see `good`).
    """
    found = Uploads(errors=typed_paths(form))
    for name, kind in KINDS.items():
        if name in found.errors:
            continue
        upload = form.get(name)
        if upload is None or isinstance(upload, str) or not upload.filename:
            earlier = _earlier(form, name, kept or {}, held or {})
            if earlier is not None:
                found.paths[kind.field] = _saved(found, root, earlier.path.name,
                                                 earlier.path.read_bytes())
                found.shown[name] = earlier.shown
            continue
        found.shown[name] = Path(upload.filename).name[:120]
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in kind.suffixes:
            found.errors[name] = (f"{kind.label}: {Path(upload.filename).name!r} is not "
                                        f"a file of the right type (allowed: "
                                        f"{', '.join(kind.suffixes)})")
            continue
        head = await upload.read(16)
        if (upload.size or 0) > kind.max_bytes:  # read_form stops it sooner, while it streams
            found.errors[name] = (f"{kind.label}: the file is larger than "
                                  f"{size_text(kind.max_bytes)}")
            continue
        if kind.magic and not head.startswith(kind.magic):
            found.errors[name] = f"{kind.label}: not a PNG or JPEG image"
            continue
        await upload.seek(0)
        found.paths[kind.field] = await run_in_threadpool(
            _saved, found, root, _name(kind, upload.filename, suffix), upload.file)
    return found


def _earlier(form: Any, name: str, kept: dict[str, Path],
             held: dict[str, HeldFile]) -> HeldFile | None:
    """The file chosen before for input `name`: held for this form, or a past render's."""
    if name in held and form.get(f"remove-{name}") != "1":
        return held[name]
    if name in kept and form.get(f"keep-{name}") == "1":
        return HeldFile(kept[name], kept[name].name)
    return None


def _saved(found: Uploads, root: Path, name: str, data: bytes | BinaryIO) -> Path:
    """Write one file (bytes, or copied from an open upload) into the job's private upload
    folder (made on first use)."""
    if found.folder is None:
        found.folder = private_folder(root / STATE_FOLDER / "uploads" / secrets.token_hex(8),
                                      exist_ok=False)
    path = found.folder / name
    with open(path, "wb") as out:
        path.chmod(0o600)
        if isinstance(data, bytes):
            out.write(data)
        else:
            shutil.copyfileobj(data, out, 1024 * 1024)
    return path


def keep_beside(paths: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Copy uploaded files into a hidden folder of a render's folder; their new paths."""
    kept = {}
    hidden = folder / ".own"
    private_folder(hidden)
    for name, path in paths.items():
        copy = hidden / path.name
        shutil.copyfile(path, copy)
        copy.chmod(0o600)
        kept[name] = copy
    return kept


def saved_name(kind: Kind, filename: str) -> str | None:
    """The name an upload is saved under (None: not a file of the right type)."""
    suffix = Path(filename).suffix.lower()
    return _name(kind, filename, suffix) if suffix in kind.suffixes else None


def _name(kind: Kind, filename: str, suffix: str) -> str:
    """The saved file's name: a template keeps its own (it gives the track its title)."""
    if kind.field == "script":
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(filename).stem).strip("-_")[:60]
        if stem:
            return f"{stem}{suffix}"
    return f"own-{kind.field}{suffix}"
