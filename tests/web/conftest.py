"""Web app fixtures: a fake-voice context with private folders, and a screenshots folder."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cft_audio.pipeline import RenderContext
from cft_audio.resources import voices_dir
from cft_audio.voices.cache import SpeechCache

from ..conftest import FakeEngine

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
"""Where page tests save screenshots (CI keeps them as artefacts)."""


def fake_engine(profile: object) -> FakeEngine:
    """Open the fake engine for any voice (a module-level function: render workers import it)."""
    return FakeEngine()


def fake_render_context(folder: Path) -> RenderContext:
    """Every voice is the fake engine; speech cache in `folder`; no user lexicon or voices."""
    return RenderContext(voice_folders=(voices_dir(),), open_engine=fake_engine,
                         cache=SpeechCache(folder / "speech"), lexicon=None)


def fake_batch_context() -> RenderContext:
    """A batch worker's context with the fake voice (speech cache from $CFT_AUDIO_CACHE)."""
    return RenderContext(voice_folders=(voices_dir(),), open_engine=fake_engine, lexicon=None,
                         keep_voices=True)


@contextmanager
def fake_client(folder: Path) -> Iterator[Any]:
    """A TestClient of the app with the fake voice, writing into `folder`/out."""
    from starlette.testclient import TestClient

    from cft_audio.web import Settings, create_app

    settings = Settings(output=folder / "out", context=fake_render_context(folder),
                        batch_context=fake_batch_context, workers=1)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8750",
                    follow_redirects=False) as client:
        yield client


def noise_wav(path: Path, seed: int = 1, seconds: int = 3) -> Path:
    """A mono 16-bit WAV of soft noise (a usable background sound) at `path`."""
    noise = (np.random.default_rng(seed).standard_normal(44100 * seconds) * 3000)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(noise.astype(np.int16).tobytes())
    return path


def run_apart(coroutine: Any) -> Any:
    """Run a coroutine to its end in a thread of its own.

    Playwright's sync API keeps an event loop running in the main thread once a page test
    has started the browser, and `asyncio.run` refuses to start inside it.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def module_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private folder shared by one test module's server (output and speech cache)."""
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The screenshots folder at the repository root (made if missing)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
