"""End to end with the real Piper voice, the real encoder, and measurements on decoded files."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import mutagen
import numpy as np
import pyloudnorm
import pytest

from cft_audio import Renderer, Request, render
from cft_audio.ffmpeg import decode
from cft_audio.script.cues import Pause, Say
from cft_audio.sound.analysis import true_peak_db

from .signals import worst_jump, worst_jump_near

pytestmark = pytest.mark.e2e
RATE = 44100


def loudness(audio: np.ndarray) -> float:
    """Integrated loudness measured directly with pyloudnorm."""
    return pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64) + 1e-9)


@pytest.fixture(scope="module")
def cli_render(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`cft-audio render safe-place --minutes 5 --name Sam` with output piped."""
    folder = tmp_path_factory.mktemp("cli")
    command = [sys.executable, "-m", "cft_audio.cli", "render", "safe-place", "--minutes", "5",
               "--name", "Sam", "--place", "forest", "-o", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "no_proxy": "*"})
    return done, folder


@pytest.fixture(scope="module")
def api_render(tmp_path_factory):
    """A short compassionate-other through the Python API, with its decoded audio."""
    folder = tmp_path_factory.mktemp("api")
    result = render(Request("compassionate-other", image="tree", length="short",
                            background="warm-drone", output=folder / "other.mp3"))
    return result, decode(result.path)


def test_cli_writes_mp3_and_stays_quiet_when_piped(cli_render):
    done, folder = cli_render
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    name = f"safe-place-forest-5min-{datetime.date.today():%Y-%m-%d}.mp3"  # never "Sam"
    assert done.stdout.strip() == str(folder / name)
    assert [p.name for p in folder.iterdir()] == [name]


def test_cli_render_duration_loudness_and_tags(cli_render):
    _, folder = cli_render
    (path,) = folder.glob("safe-place-forest-5min-*.mp3")
    audio = decode(path)
    assert len(audio) / RATE == pytest.approx(300, rel=0.03)
    assert loudness(audio) == pytest.approx(-16.0, abs=0.5)
    assert true_peak_db(audio, RATE) <= -1.0
    tags = mutagen.File(path, easy=True)
    assert tags["title"] == ["The Safe Place: forest"]  # the place tells tracks apart
    assert tags["genre"] == ["Meditation"]
    assert tags["artist"] and tags["album"]
    assert mutagen.File(path).info.length == pytest.approx(300, rel=0.03)


def test_api_result_matches_decoded_file(api_render):
    result, audio = api_render
    assert result.path.exists()
    assert len(audio) / RATE == pytest.approx(result.seconds, abs=0.1)
    assert loudness(audio) == pytest.approx(-16.0, abs=0.5)
    assert true_peak_db(audio, RATE) <= -1.0
    assert any(isinstance(t.cue, Say) and "tree" in t.cue.text for t in result.cues)


def test_speech_stands_over_silences_with_bed_beneath(api_render):
    result, audio = api_render
    mono = audio.mean(axis=1)

    def rms_db(kind: type, margin: float) -> float:
        spans = [(t.start + margin, t.end - margin) for t in result.cues
                 if isinstance(t.cue, kind) and t.end - t.start > 2 * margin + 0.5]
        parts = [mono[int(a * RATE) : int(b * RATE)] for a, b in spans]
        return 20 * np.log10(np.sqrt(np.mean(np.concatenate(parts) ** 2)))

    speech, silence = rms_db(Say, 0.05), rms_db(Pause, 0.6)
    assert speech - silence >= 10.0  # real silences we placed
    assert silence > -60.0  # ... with the background bed under them


def test_no_clicks_at_speech_joins(api_render):
    result, audio = api_render
    joins = [t for c in result.cues if isinstance(c.cue, Say) for t in (c.start, c.end)]
    assert len(joins) > 40
    assert worst_jump_near(audio, joins, RATE, reach=0.005) < 6.0  # a click scores > 10
    # nothing loud and sudden anywhere: the voice's own sharpest onset (mid-sentence, in
    # "flowing from", at no join) scores 12.7 since tones keep the voice's pitch (issue 18)
    assert worst_jump(audio, audible=0.05) < 14.0


def test_fitting_hits_random_targets_with_real_voice():
    renderer = Renderer()
    low, high = renderer.reachable_minutes(Request("soothing-breath", length="short"))
    targets = np.random.default_rng(3).uniform(low, high, 5)
    for minutes in targets:
        _, timeline = renderer.timeline(Request("soothing-breath", length="short",
                                                minutes=float(minutes)))
        assert timeline.seconds == pytest.approx(minutes * 60, rel=0.03)
