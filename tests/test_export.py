"""Export: formats, tags, atomic writes, never overwriting earlier results."""

from __future__ import annotations

import mutagen
import numpy as np
import pytest

from cft_audio import ExportError, Renderer, Request
from cft_audio.export import export, plan_output
from cft_audio.ffmpeg import decode

RATE = 44100
TAGS = {"title": "The Safe Place", "artist": "Dr Ada", "album": "Group A", "genre": "Meditation"}


def tone(seconds: float = 2.0) -> np.ndarray:
    """A quiet stereo test tone."""
    t = np.arange(int(seconds * RATE)) / RATE
    mono = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "wav"])
def test_export_writes_playable_tagged_file(tmp_path, fmt):
    target = tmp_path / f"track.{fmt}"
    export(tone(), RATE, target, fmt, TAGS)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left
    decoded = decode(target)
    assert len(decoded) / RATE == pytest.approx(2.0, abs=0.06)
    if fmt != "wav":
        tags = mutagen.File(target, easy=True)
        for key, value in TAGS.items():
            assert tags[key] == [value]


def test_failed_encode_keeps_earlier_file(tmp_path, monkeypatch):
    target = tmp_path / "track.mp3"
    target.write_bytes(b"earlier result")
    monkeypatch.setattr("cft_audio.export.ffmpeg_exe", lambda: str(tmp_path / "no-ffmpeg"))
    with pytest.raises(ExportError, match="track.mp3"):
        export(tone(), RATE, target, "mp3", TAGS)
    assert target.read_bytes() == b"earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["track.mp3"]


def test_auto_names_never_overwrite(tmp_path):
    first = plan_output(tmp_path, "safe-place", "short", "mp3")
    first.write_bytes(b"x")
    second = plan_output(tmp_path, "safe-place", "short", "mp3")
    assert first.name == "safe-place-short.mp3" and second.name == "safe-place-short-2.mp3"


def test_format_follows_output_extension(fake_context, out_dir):
    result = Renderer(fake_context).render(
        Request("soothing-breath", length="short", output=out_dir / "mine.m4a",
                background="none")
    )
    assert result.path == out_dir / "mine.m4a"
    assert mutagen.File(result.path).mime[0] == "audio/mp4"
