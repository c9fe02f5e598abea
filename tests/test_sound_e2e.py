"""Issue-5 acceptance on real renders: every bed in every format, ratio, clicks, reproducibility."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from cft_audio import Renderer, Request
from cft_audio.ffmpeg import decode, ffmpeg_exe
from cft_audio.pipeline import RenderContext
from cft_audio.script.cues import Say, Section
from cft_audio.sound.analysis import true_peak_db
from cft_audio.sound.beds import BEDS
from cft_audio.voices.cache import SpeechCache

from .signals import worst_jump, worst_jump_near

pytestmark = pytest.mark.e2e
RATE = 44100
FORMATS = ("mp3", "m4a", "opus", "flac", "wav")
TEMPLATE = """[section Arriving]
Hello{% if name %}, {{ name }}{% endif %}.
[pause 2s]
[section Breathing]
[breath in 2 out 2 x 1]
Let the breath find its own pace.
[section Returning]
When you are ready, come back.
"""


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> Renderer:
    """One renderer whose speech cache outlives the tests: the voice speaks each line once."""
    cache = SpeechCache(tmp_path_factory.mktemp("speech"))
    return Renderer(RenderContext(cache=cache))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("script") / "short-practice.j2"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def loudness(audio: np.ndarray) -> float:
    return pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64) + 1e-9)


def probe(path: Path) -> str:
    """What ffmpeg's prober prints about a file (tags, chapters, streams)."""
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                          text=True, check=False)
    return done.stderr


def chapter_starts(report: str) -> list[float]:
    return [float(m) for m in re.findall(r"Chapter #\d+:\d+: start ([\d.]+)", report)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bed", sorted(BEDS))
def test_every_bed_in_every_format(renderer, template, tmp_path, bed, fmt):
    out = tmp_path / f"track.{fmt}"
    result = renderer.render(Request(script=template, name="Sam", background=bed, output=out,
                                     artist="Dr Lee", album="Group A", track=3,
                                     sidecars=("vtt",)))
    audio = decode(out)
    assert len(audio) / RATE == pytest.approx(result.seconds, abs=0.1)
    assert loudness(audio) == pytest.approx(-16.0, abs=1.0)
    assert true_peak_db(audio, RATE) <= -1.0
    report = probe(out)
    for tag in ("Short Practice", "Dr Lee", "Group A"):
        assert tag in report, report
    marks = [t.start for t in result.cues if isinstance(t.cue, Section)]
    if fmt in ("mp3", "m4a"):
        starts = chapter_starts(report)
        assert len(starts) == len(marks)
        assert starts[0] == pytest.approx(0.0, abs=0.05)  # players start the first chapter at 0
        assert starts[1:] == pytest.approx(marks[1:], abs=0.05)
    onsets = [t.start for t in result.cues if isinstance(t.cue, Say)]
    cues = re.findall(r"(\d\d):(\d\d):(\d\d\.\d{3}) -->", out.with_suffix(".vtt").read_text())
    assert [int(h) * 3600 + int(m) * 60 + float(s) for h, m, s in cues] == pytest.approx(
        onsets, abs=0.05)


@pytest.mark.parametrize(("accessible", "least"), [(False, 15.0), (True, 20.0)])
def test_speech_to_background_ratio_on_rendered_audio(renderer, template, tmp_path,
                                                      accessible, least):
    request = Request(script=template, background="ocean", seed=5, accessible=accessible,
                      output=tmp_path / "mix.wav")
    mixed = renderer.render(request)
    voice = renderer.render(Request(**{**request.__dict__, "output": tmp_path / "voice.wav"}),
                            stem="voice")
    bed = renderer.render(Request(**{**request.__dict__, "output": tmp_path / "bed.wav"}),
                          stem="bed")
    spans = [(int(t.start * RATE), int(t.end * RATE)) for t in mixed.cues
             if isinstance(t.cue, Say)]
    inside = np.concatenate([np.arange(a, b) for a, b in spans])
    v, b = decode(voice.path)[inside], decode(bed.path)[inside]
    ratio = 10 * np.log10(np.mean(v**2) / np.mean(b**2))
    assert ratio >= least
    assert ratio == pytest.approx(mixed.speech_to_background, abs=1.0)
    outside = np.setdiff1d(np.arange(len(decode(mixed.path))), inside)
    together = decode(mixed.path)[outside]  # where the limiter rests, the parts add up exactly
    parts = decode(voice.path)[outside] + decode(bed.path)[outside]
    assert np.sqrt(np.mean((parts - together) ** 2)) < 1e-3


def test_no_clicks_at_joins_or_loop_points_of_your_own_background(renderer, template,
                                                                  tmp_path):
    t = np.arange(int(3.0 * RATE)) / RATE
    source = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + 0.3 * np.sin(2 * np.pi * 0.7 * t))
    loop = tmp_path / "loop.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1",
                    "-i", "-", str(loop)], input=source.astype(np.float32).tobytes(),
                   check=True)
    result = renderer.render(Request(script=template, background=str(loop),
                                     output=tmp_path / "own.wav"))
    audio = decode(result.path)
    joins = [x for c in result.cues if isinstance(c.cue, Say) for x in (c.start, c.end)]
    assert worst_jump_near(audio, joins, RATE, reach=0.005) < 6.0
    bed = renderer.render(Request(script=template, background=str(loop),
                                  output=tmp_path / "own-bed.wav"), stem="bed")
    assert bed.seconds > 3 * 3.0  # the 3-second file turned over several times
    inner = decode(bed.path)[RATE // 10 : -RATE // 10]  # the detector's window needs context
    assert worst_jump(inner) < 7.0  # no click anywhere in it, loop points included


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_same_request_and_seed_give_identical_bytes(renderer, template, tmp_path, fmt):
    request = Request(script=template, name="Aoife", background="rain", seed=11,
                      breath_tone=True, output=tmp_path / f"a.{fmt}")
    first = renderer.render(request).path.read_bytes()
    again = renderer.render(Request(**{**request.__dict__, "output": tmp_path / f"b.{fmt}"}))
    fresh = Renderer(RenderContext(cache=None)).render(
        Request(**{**request.__dict__, "output": tmp_path / f"c.{fmt}"}))
    assert again.path.read_bytes() == first
    assert fresh.path.read_bytes() == first
    other = renderer.render(Request(**{**request.__dict__, "seed": 12,
                                       "output": tmp_path / f"d.{fmt}"}))
    assert other.path.read_bytes() != first


def test_mono_file_is_mastered_to_minus_19(renderer, template, tmp_path):
    result = renderer.render(Request(script=template, mono=True, output=tmp_path / "m.wav"))
    audio = decode(result.path, channels=1)
    assert pyloudnorm.Meter(RATE).integrated_loudness(audio[:, 0].astype(np.float64) + 1e-9
                                                      ) == pytest.approx(-19.0, abs=1.0)
    assert "mono" in probe(result.path)


def test_a_track_whose_loudness_model_missed_is_written_again_on_target(
        renderer, template, tmp_path, monkeypatch):
    import cft_audio.pipeline.mastering as mastering

    real_plan = mastering.plan_master

    def missed_plan(*args, **kwargs):
        plan = real_plan(*args, **kwargs)
        return replace(plan, gain=plan.gain * 10 ** (-2 / 20))  # as if the model were 2 dB off

    monkeypatch.setattr(mastering, "plan_master", missed_plan)
    result = renderer.render(Request(script=template, name="Aoife", output=tmp_path / "x.wav"))
    assert loudness(decode(result.path)) == pytest.approx(-16.0, abs=0.15)
    assert result.loudness == pytest.approx(-16.0, abs=0.1)
    assert true_peak_db(decode(result.path), RATE) <= -1.0
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]
