"""Turn a manifest into validated track requests, collecting every problem before any render."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InvalidRequest, ScriptError
from ..pipeline import Renderer
from ..request import Request
from ..schema import PERSONAL_FIELDS
from ..script.catalogue import EXERCISES, exercises_using
from ..script.cues import Script
from .errors import ManifestError, Problem, from_invalid
from .manifest import Manifest, Participant, Session, Settings, read_manifest
from .names import folder_name, track_stem
from .uploaded import Uploaded

SIDECARS = ("vtt", "json")
"""Written beside every batch track: captions, and the render record used to resume."""
_PROBE_EXERCISE = "safe-place"


@dataclass(frozen=True)
class Track:
    """One track of one participant's pack, ready to render."""

    participant: str
    number: int
    """Position in the pack (and the track-number tag)."""
    week: int
    exercise: str
    script: Script
    request: Request
    seconds: float = 0.0
    """Its estimated length (the target, when one is set): how long a bed to store ahead."""

    @property
    def path(self) -> Path:
        """Where the audio file goes."""
        return Path(self.request.output)  # type: ignore[arg-type]

    @property
    def title(self) -> str:
        """The track's title (the script's, never the client's name)."""
        return self.script.title


@dataclass(frozen=True)
class Pack:
    """One participant's folder of tracks."""

    participant: Participant
    folder: Path
    tracks: tuple[Track, ...]


@dataclass(frozen=True)
class Plan:
    """Everything a batch will write, validated."""

    manifest: Manifest
    output: Path
    packs: tuple[Pack, ...]
    name_files: bool = False

    @property
    def tracks(self) -> tuple[Track, ...]:
        """Every track of every pack, pack by pack."""
        return tuple(t for pack in self.packs for t in pack.tracks)


def plan_batch(manifest_path: Path, output: Path, renderer: Renderer,
               participants_csv: Path | None = None, name_files: bool = False,
               uploaded: Uploaded | None = None) -> Plan:
    """Read and validate a manifest; raise ManifestError listing every problem at once.

    `uploaded`: the only files the manifest may name (see `uploaded.py`); None: any path.
    """
    manifest = read_manifest(manifest_path, participants_csv, uploaded)
    problems = list(manifest.problems)
    try:
        output = Path(output).expanduser().absolute()
    except (RuntimeError, ValueError):  # "~name" for no such user: used as written
        output = Path(output).absolute()
    if output.exists() and not output.is_dir():
        problems.append(Problem("command line", "--output", f"{output.name} is not a folder",
                                "a folder (created if missing)"))
    problems += _row_problems(manifest, renderer)
    if not problems:  # which exercises the programme holds is only known once rows are fine
        problems += _unused_problems(manifest)
    packs: list[Pack] = []
    if not problems:
        for participant in manifest.participants:
            pack, found = _pack(manifest, participant, output, renderer, name_files)
            packs.append(pack)
            problems += found
    problems = list(dict.fromkeys(problems))  # the same problem in every week is said once
    if problems:
        raise ManifestError(manifest.source, problems)
    return Plan(manifest, output, tuple(packs), name_files)


def _row_problems(manifest: Manifest, renderer: Renderer) -> list[Problem]:
    """Each setting of each row checked on its own, so one bad value never hides another."""
    problems = _setting_problems("defaults", manifest.defaults, _PROBE_EXERCISE, renderer)
    for session in manifest.sessions:
        source = {"exercise": session.exercise or None, "script": session.settings.get("script")}
        found = _setting_problems(session.where, {"source": source}, _PROBE_EXERCISE, renderer)
        exercise = _PROBE_EXERCISE if found or not session.exercise else session.exercise
        settings = {k: v for k, v in session.settings.items() if k != "script"}
        problems += found + _setting_problems(session.where, settings, exercise, renderer)
    for participant in manifest.participants:
        problems += _setting_problems(participant.where, participant.settings, _PROBE_EXERCISE,
                                      renderer)
    return problems


def _unused_problems(manifest: Manifest) -> list[Problem]:
    """A personal setting (image, place, details…) that no exercise of the programme speaks of."""
    if any(not s.exercise for s in manifest.sessions):
        return []  # a therapist's own template may use anything
    used = set().union(*(EXERCISES[s.exercise].uses for s in manifest.sessions
                         if s.exercise in EXERCISES))
    rows = [("defaults", manifest.defaults), *((p.where, p.settings)
                                               for p in manifest.participants)]
    problems = []
    for where, settings in rows:
        for key in settings:
            if key in PERSONAL_FIELDS and key not in used:
                problems.append(Problem(where, PERSONAL_FIELDS[key],
                                        "no exercise of this programme uses it",
                                        ", ".join(exercises_using(key))))
    return problems


def _setting_problems(where: str, settings: Settings, exercise: str,
                      renderer: Renderer) -> list[Problem]:
    problems = []
    for key, value in settings.items():
        if key in PERSONAL_FIELDS and key not in EXERCISES[exercise].uses:
            exercise = exercises_using(key)[0]  # checked where it is used
        fields = value if key == "source" else {"exercise": exercise, key: value}
        try:
            renderer.check(Request(**fields), own_range=False, whole=False)  # a probe's exercise
        except InvalidRequest as error:
            problems.append(from_invalid(where, error))
    return problems


def _pack(manifest: Manifest, participant: Participant, output: Path, renderer: Renderer,
          name_files: bool) -> tuple[Pack, list[Problem]]:
    """A participant's tracks in week order, each checked as a whole (e.g. --minutes reach)."""
    folder = output / folder_name(participant.id, participant.name, name_files)
    sessions = sorted(manifest.sessions, key=lambda s: (s.week, s.row))
    tracks, problems = [], []
    for number, session in enumerate(sessions, start=1):
        request = _request(manifest, session, participant, number)
        try:
            script = renderer.script(request)
        except InvalidRequest as error:
            where = _source(error.field, manifest, session, participant)
            suffix = "" if where == session.where else f" (week {session.week})"
            problems.append(from_invalid(where, error, suffix))
            continue
        except ScriptError as error:
            problems.append(Problem(session.where, "script", str(error)))
            continue
        fmt = request.format or "mp3"
        path = folder / f"{track_stem(number, session.week, script.title)}.{fmt}"
        tracks.append(Track(participant.id, number, session.week, session.name, script,
                            replace(request, output=path, format=fmt),
                            renderer.preview(request).seconds))
    return Pack(participant, folder, tuple(tracks)), problems


def _source(field: str, manifest: Manifest, session: Session, participant: Participant) -> str:
    """The row that set a field: the participant's, the exercise's, or the defaults."""
    key = field.replace("-", "_")
    if key in participant.settings:
        return participant.where
    if key in session.settings:
        return session.where
    return "defaults" if key in manifest.defaults else participant.where


def _request(manifest: Manifest, session: Session, participant: Participant,
             number: int) -> Request:
    """The request for one participant's session: defaults, then session, then participant."""
    fields = {**manifest.defaults, **session.settings, **participant.settings}
    if "say" in manifest.defaults and "say" in participant.settings:  # add to, not replace
        fields["say"] = (*manifest.defaults["say"], *participant.settings["say"])
    if session.exercise in EXERCISES:  # a participant's image is for the weeks that use it
        uses = EXERCISES[session.exercise].uses
        fields = {k: v for k, v in fields.items() if k not in PERSONAL_FIELDS or k in uses}
    programme = manifest.programme
    return Request(exercise=session.exercise or None, album=programme.title,
                   artist=programme.artist, year=programme.year, track=number,
                   sidecars=SIDECARS, **fields)

