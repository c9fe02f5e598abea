"""Byte-identical output: WAV and FLAC of a table of requests match hashes pinned before a change.

The hashes hold on the platform that recorded them (same NumPy, SciPy, Pillow, ffmpeg and the
same floating-point results): `FINGERPRINT` says which. On another platform the table is
skipped with the reason; record new pins there with `CFT_AUDIO_REPIN=1 pytest
tests/test_pinned_output.py -n 0 -s` and paste what it prints.

The real voices' numbers also depend on the CPU (ONNX Runtime picks its kernels by what the
processor offers), so their rows are pinned per `voice_print`: a short phrase from each voice,
hashed. A CPU whose print has pins must match them exactly; on another, a row passes if it
matches the pins of the CPU recorded before prints were taken, and is skipped otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from cft_audio import Renderer, Request
from cft_audio.pipeline import RenderContext
from cft_audio.resources import voices_dir
from cft_audio.voices.engine import VoiceSettings
from cft_audio.voices.profiles import load_profiles, open_engine

ROWS: dict[str, dict] = {
    "other-warm-slow-ocean-wav": dict(exercise="compassionate-other", length="short", image="tree",
                                      name="Sam", format="wav"),
    "other-own-words-flac": dict(exercise="compassionate-other", length="short", image="my gran",
                                 pronoun="she", qualities=("wisdom", "warmth"),
                                 phrases=("May you be at ease",), tone="calm",
                                 pace="moderate", background="rain", format="flac"),
    "self-gentle-bright-brisk": dict(exercise="compassionate-self", length="short",
                                     gentle=True, tone="bright",
                                     pace="brisk", background="stream", format="wav"),
    "self-minutes": dict(exercise="compassionate-self", minutes=5.0, tone="gentle",
                              background="wind", format="flac"),
    "safe-place-details-mono": dict(exercise="safe-place", place="forest",
                                    details=("pine needles", "birdsong"), mono=True,
                                    background="warm-drone", format="wav"),
    "safe-place-own-place-accessible": dict(exercise="safe-place", place="my nan's kitchen",
                                            accessible=True, bed_level=-6.0,
                                            background="bowls", format="flac"),
    "breath-tone-short": dict(exercise="soothing-breath", length="short", breath_tone=True,
                              background="none", format="wav"),
    "breath-standard-seed": dict(exercise="soothing-breath", length="standard", seed=7,
                                 pace="moderate", tone="calm", background="ocean",
                                 bed_level=3.0, format="flac"),
    "other-gentle-minutes-rain": dict(exercise="compassionate-other", image="light", gentle=True,
                                      minutes=6.0, pace="brisk", background="rain",
                                      format="wav"),
    "self-say-tags": dict(exercise="compassionate-self", length="short",
                          name="Aoife", say=("Aoife=Eefa",),
                          artist="Dr A Therapist", album="Group 3", track=4, format="flac"),
    "safe-place-stream": dict(exercise="safe-place", length="short", place="garden",
                                   tone="gentle", pace="slow", background="stream",
                                   format="wav"),
    "breath-mono-flac": dict(exercise="soothing-breath", length="short", mono=True, tone="bright",
                             background="wind", format="flac"),
    "other-bowls-moderate": dict(exercise="compassionate-other", length="short", image="sea",
                                 pace="moderate", tone="warm", background="bowls",
                                 format="flac"),
}
"""Every exercise, tone, pace, background and format option (fake voice: exact, fast)."""

PIPER_ROWS: dict[str, dict] = {
    "piper-safe-place-short": dict(exercise="safe-place", length="short", name="Sam",
                                   background="ocean", format="flac"),
    "piper-breath-short-wav": dict(exercise="soothing-breath", length="short", tone="calm",
                                   pace="moderate", background="rain", format="wav"),
    "heart-other-calm-moderate-flac": dict(exercise="compassionate-other", length="short",
                                           image="tree", name="Aoife", say=("Aoife=/ˈifə/",),
                                           voice="heart", tone="calm", pace="moderate",
                                           background="rain", format="flac"),
    "heart-safe-place-bright-brisk-wav": dict(exercise="safe-place", length="short",
                                              voice="heart", tone="bright", pace="brisk",
                                              background="ocean", format="wav"),
}
"""The real voices (Piper joe, hibari heart), so the speech stage is pinned too."""

FINGERPRINT = ("numpy 2.4.6 scipy 1.17.1 pillow 13.0.0 onnxruntime 1.32.0 hibari-tts 0.2.1 "
               "ffmpeg n9.0.2-17-g2a571b6068-20260930 6c6fd3f19644")
PINS: dict[str, str] = {
    "breath-mono-flac": "0e9a19f489614237826503af66a02b2b8381c2145c5893a410f5af260fab32b1",
    "breath-standard-seed": "d6e86e11f66d9647415ea557ce5fd77cf9487012b44026824b797bd867fb8f82",
    "breath-tone-short": "c6568308d7acd35a27fe437045048218f5169471e88221097aa51d2a0d3c73b7",
    "other-bowls-moderate": "765ebb48a16dacfcdba8c51b8928bb45b19e2c74cdfd80fcd5ef0883a8a4cbe9",
    "other-gentle-minutes-rain": "30690f8bf8c4f122580b73c64bb0c691549ca20d1e8fc1e731d87f06e54641da",
    "other-own-words-flac": "7d29690f2c19fdd5b5a52e67eec5cd7466634e16ee95a880ad1dcfcdb2faa3c9",
    "other-warm-slow-ocean-wav": "6d7c65071bdadea9f501213a31199eb56d1bda4bed61900205b64b53aeac0237",
    "safe-place-details-mono": "4e84d32d3437dd5ef6d49b0138d64c8d9cbaa0fdcfffe20f982a07f3e2ad2769",
    "safe-place-own-place-accessible":
        "3703848b378198707c7e2330ab9ccd6122ce05bc677f47719b32fed27f4c0582",
    "safe-place-stream": "5eb86a8d78a6964f17bf1d9ef945c741f744b72bec64ee65a3c611fbc478e9a2",
    "self-gentle-bright-brisk": "b9b5d2f5537d936d157529f3daeff49b70f5e1d9e6967c107f518f7226ec7285",
    "self-minutes": "ba69bc4614527e108907ad996978911fb2266024cbd1601b14582e44752ab222",
    "self-say-tags": "c2ef9d8fb6896a73d53e681293ac3a0eeab9571878e7913d7f8dfb9078edaa0b",
}
VOICE_PINS: dict[str, dict[str, str]] = {
    "942e680d2b64": {  # AMD EPYC
        "piper-breath-short-wav":
            "622c4785b4ebbda0b448b75d77822d16abb13c76b3f6cade8fc2f6d265f5772c",
        "piper-safe-place-short":
            "9c75fdd76237ee0904c89d1bcaf1605dc834eda6cd7c3e141f29b47b5de68edf",
        "heart-other-calm-moderate-flac":
            "c639d050a0839853194488fc52b9fbe9bf682176330b69628a577f746388d7de",
        "heart-safe-place-bright-brisk-wav":
            "31a7340b7d0df27f5fb2211ff1460d843aab19ccb119cfd50c5378ed086b91b1",
    },
}
"""The real-voice rows' pins by `voice_print` (the CPU they were recorded on)."""
UNPRINTED_VOICE_PINS: dict[str, str] = {
    "piper-breath-short-wav": "c6ff9a79b17c7f4addbda8c08f3c906440859de26eded115c7045c074d28329f",
    "piper-safe-place-short": "7c9b0d760c337e9e86919d69f9a03eb492e74f8cc25fe31a0e52a980ae3f72ec",
    "heart-other-calm-moderate-flac":
        "64844e39f1a8a563346f3bf04d3c837a5eb7f5a646388607272d2aaa6ab85c1b",
    "heart-safe-place-bright-brisk-wav":
        "024f3086a094fe75bd85f26fa9e25027f39975ad25f0cdc3122ae37cfdf3f88e",
}
"""Pins recorded on a CPU before voice prints were taken (its print is not known)."""


def platform_fingerprint() -> str:
    """What the pins depend on beyond our code: library versions and their numbers."""
    from importlib.metadata import version

    import imageio_ffmpeg
    import onnxruntime
    import PIL
    import scipy
    from scipy import signal

    x = np.linspace(0, 1000, 10_000, dtype=np.float32)
    filtered = signal.sosfilt(signal.butter(4, 0.1, output="sos"), np.sin(x).astype(np.float64))
    numbers = hashlib.sha256(np.sin(x).tobytes() + np.exp(-x / 500).tobytes()
                             + filtered.tobytes()).hexdigest()[:12]
    return " ".join((f"numpy {np.__version__}", f"scipy {scipy.__version__}",
                     f"pillow {PIL.__version__}",
                     f"onnxruntime {onnxruntime.__version__}",
                     f"hibari-tts {version('hibari-tts')}",
                     f"ffmpeg {imageio_ffmpeg.get_ffmpeg_version()}",
                     numbers))


def _request(fields: dict, folder: Path, stem: str) -> Request:
    fields = dict(fields)
    fmt = fields.pop("format")
    return Request(**fields, year=2026, output=folder / f"{stem}.{fmt}")


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def voice_print() -> str:
    """The real voices' own numbers on this CPU: one short phrase from each, hashed."""
    profiles = load_profiles([voices_dir()])
    digest = hashlib.sha256()
    for name in ("joe", "heart"):
        engine = open_engine(profiles[name])
        engine.load()
        digest.update(engine.synthesize("Let yourself settle.", VoiceSettings()).samples.tobytes())
    return digest.hexdigest()[:12]


def _repinning(line: str) -> bool:
    """Print the pin line when repinning (True); skip the test on another platform."""
    if os.environ.get("CFT_AUDIO_REPIN"):
        print(line)
        return True
    if platform_fingerprint() != FINGERPRINT:
        pytest.skip(f"pins were recorded on {FINGERPRINT!r}; this is {platform_fingerprint()!r}")
    return False


def _check(stem: str, path: Path) -> None:
    if not _repinning(f'    "{stem}": "{_hash(path)}",'):
        assert _hash(path) == PINS[stem], f"{stem}: the output bytes changed"


def _check_voice(stem: str, path: Path) -> None:
    if _repinning(f'    voice print "{voice_print()}": "{stem}": "{_hash(path)}",'):
        return
    pins = VOICE_PINS.get(voice_print())
    if pins is not None:
        assert _hash(path) == pins[stem], f"{stem}: the output bytes changed"
    elif _hash(path) != UNPRINTED_VOICE_PINS[stem]:
        pytest.skip(f"this CPU's voice print {voice_print()} has no pins (repin to add them)")


@pytest.mark.parametrize("stem", sorted(ROWS))
def test_fake_voice_output_is_byte_identical(stem: str, fake_context: RenderContext,
                                             out_dir: Path) -> None:
    result = Renderer(fake_context).render(_request(ROWS[stem], out_dir, stem))
    _check(stem, result.path)


@pytest.mark.e2e
@pytest.mark.parametrize("stem", sorted(PIPER_ROWS))
def test_piper_output_is_byte_identical(stem: str, out_dir: Path) -> None:
    result = Renderer(RenderContext(cache=None)).render(_request(PIPER_ROWS[stem], out_dir, stem))
    _check_voice(stem, result.path)


def test_fingerprint() -> None:
    if os.environ.get("CFT_AUDIO_REPIN"):
        print(f'FINGERPRINT = "{platform_fingerprint()}"')
