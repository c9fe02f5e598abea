"""Speech is synthesised once: re-renders, other backgrounds or formats, parallel renders."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cft_audio import Renderer, Request
from cft_audio.pipeline import RenderContext
from cft_audio.voices.cache import SpeechCache, _decode
from cft_audio.voices.engine import SpeechClip, VoiceSettings
from cft_audio.voices.profiles import open_engine

TEMPLATE = """[section Arriving]
Hello{% if name %}, {{ name }}{% endif %}.
Let yourself settle, there is no hurry.
[pause short]
Notice the breath, just as it is.
[pause short]
When you are ready, open your eyes.
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.j2"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def fake_renderer(fake_engine, cache_folder: Path) -> Renderer:
    return Renderer(RenderContext(open_engine=lambda profile: fake_engine,
                                  cache=SpeechCache(cache_folder)))


def test_speech_jobs_shared_by_requests_are_spoken_once_ahead(fake_engine, tmp_path, out_dir,
                                                               template):
    renderer = fake_renderer(fake_engine, tmp_path / "cache")
    requests = [Request(script=template, name=name, output=out_dir / name, background="none")
                for name in ("Aoife", "Ben", "Aoife")]
    jobs = {job.key: job for r in requests for job in renderer.speech_jobs(r)}
    assert fake_engine.calls == 0
    assert len(jobs) == 3 + 2  # three lines everyone hears, one greeting each for two names
    assert renderer.synthesise(jobs.values()) == 5
    assert renderer.synthesise(jobs.values()) == 0
    renders = [renderer.render(r) for r in requests]
    assert fake_engine.calls == 5
    assert [r.synthesised for r in renders] == [0, 0, 0]


@pytest.mark.parametrize(
    ("change", "expect_calls"),
    [
        ({}, 0),
        ({"background": "brown-noise"}, 0),
        ({"background": "none", "format": "wav"}, 0),
        ({"seed": 7, "format": "m4a"}, 0),
        ({"tone": "calm"}, "all"),
        ({"say": ("Aoife=Eefa",)}, 1),  # only the greeting names her
    ],
)
def test_rerender_calls_the_engine_only_for_new_speech(fake_engine, tmp_path, out_dir, template,
                                                       change, expect_calls):
    base = Request(script=template, name="Aoife", output=out_dir, background="none")
    fake_renderer(fake_engine, tmp_path / "cache").render(base)
    first = fake_engine.calls
    assert first == 4
    again = type(fake_engine)()
    renderer = fake_renderer(again, tmp_path / "cache")  # a new process, in effect
    result = renderer.render(Request(**{**base.__dict__, **change}))
    assert again.calls == (first if expect_calls == "all" else expect_calls)
    assert renderer.engine_calls == result.synthesised == again.calls


def test_no_cache_synthesises_everything(fake_engine, out_dir, template):
    renderer = Renderer(RenderContext(open_engine=lambda profile: fake_engine, cache=None))
    renderer.render(Request(script=template, output=out_dir, background="none"))
    assert fake_engine.calls == 4


@dataclass
class Counting:
    """Wraps a real engine and counts synthesis calls."""

    inner: object
    calls: list[str] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        self.calls.append(text)
        return self.inner.synthesize(text, settings)


@pytest.mark.e2e
def test_real_voice_rerender_with_other_background_and_format_calls_it_zero_times(
        tmp_path, out_dir, template):
    engines: list[Counting] = []

    def counting(profile):
        engines.append(Counting(open_engine(profile)))
        return engines[-1]

    request = Request(script=template, name="Sam", output=out_dir)
    for change in ({}, {}, {"background": "brown-noise", "format": "m4a"}):
        context = RenderContext(open_engine=counting, cache=SpeechCache(tmp_path / "cache"))
        Renderer(context).render(Request(**{**request.__dict__, **change}))
    assert [len(e.calls) for e in engines] == [4, 0, 0]


def _cli(args: list[str], cache: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "CFT_AUDIO_CACHE": str(cache), "no_proxy": "*"}
    return subprocess.Popen([sys.executable, "-m", "cft_audio.cli", "render", *args, *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.e2e
def test_four_parallel_renders_match_serial_ones_and_leave_a_sound_cache(tmp_path, template):
    jobs = [("Aoife", "ocean"), ("Sam", "none"), ("Aoife", "warm-drone"), ("Nguyen", "ocean")]
    shared = tmp_path / "shared-cache"
    running = [_cli(["--script", str(template), "--name", name, "--background", bed,
                     "-o", str(tmp_path / "parallel" / f"{i}.wav")], shared)
               for i, (name, bed) in enumerate(jobs)]
    results = [p.communicate(timeout=300) for p in running]
    assert [p.returncode for p in running] == [0, 0, 0, 0], results
    serial = Renderer(RenderContext(cache=None))  # everything synthesised afresh, one by one
    for i, (name, bed) in enumerate(jobs):
        path = serial.render(Request(script=template, name=name, background=bed,
                                     output=tmp_path / "serial" / f"{i}.wav")).path
        assert (tmp_path / "parallel" / f"{i}.wav").read_bytes() == path.read_bytes()
    entries = list((shared / "speech").glob("*/*.speech"))
    assert len(entries) == 3 + 3  # three shared sentences, three different greetings
    assert all(_decode(path.read_bytes()) is not None for path in entries)
    assert not list(shared.glob("**/.*.part")) and not list(shared.glob("**/*.part"))
