"""Shared fixtures: a fake engine with exact durations, contexts, and decoding helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from cft_audio.pipeline import RenderContext
from cft_audio.voices.engine import SPEED, SpeechClip, VoiceSettings

from .browser import browser  # noqa: F401  (shared fixture for page tests)

FAKE_RATE = 22050
SECONDS_PER_CHARACTER = 0.05


@dataclass
class FakeEngine:
    """Speaks a soft tone whose length is exactly proportional to the text."""

    calls: int = 0
    sample_rate: int = FAKE_RATE
    name: str = "fake"
    voice: str = "fake-1"

    def load(self) -> None:
        """Nothing to load."""

    def identity(self) -> str:
        """A fixed identity per fake voice."""
        return f"fake:{self.voice}"

    def capabilities(self) -> frozenset[str]:
        """The fake only varies its length."""
        return frozenset({SPEED})

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Return a deterministic 'voice': a 200 Hz tone with a slow vibrato."""
        self.calls += 1
        frames = int(round(len(text) * SECONDS_PER_CHARACTER * settings.length_scale * FAKE_RATE))
        t = np.arange(frames) / FAKE_RATE
        tone = 0.3 * np.sin(2 * np.pi * (200 * t + 2 * np.sin(2 * np.pi * 3 * t)))
        samples = tone.astype(np.float32)
        samples.flags.writeable = False
        return SpeechClip(samples=samples, sample_rate=FAKE_RATE)


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty user folder and speech cache, never the real ones."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("CFT_AUDIO_HOME", str(home / "data"))
    monkeypatch.setenv("CFT_AUDIO_CACHE", str(home / "cache"))
    (home / "cache").mkdir()
    (home / "cache" / "models").symlink_to(_shared_models(tmp_path_factory))
    return home


def _shared_models(factory: pytest.TempPathFactory) -> Path:
    """One prepared-model folder for the session: voices are prepared once, not per test."""
    folder = factory.getbasetemp() / "prepared-models"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def fake_engine() -> FakeEngine:
    """A fresh fake engine (counts its calls)."""
    return FakeEngine()


@pytest.fixture
def fake_context(fake_engine: FakeEngine) -> RenderContext:
    """A render context whose every voice is the fake engine."""
    return RenderContext(open_engine=lambda profile: fake_engine)


def fake_seconds(text: str, length_scale: float) -> float:
    """How long the fake engine speaks `text` (before resampling)."""
    return int(round(len(text) * SECONDS_PER_CHARACTER * length_scale * FAKE_RATE)) / FAKE_RATE


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty output folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
