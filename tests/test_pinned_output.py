"""Byte-identical output: WAV and FLAC of a table of requests match hashes pinned before a change.

The hashes hold on the platform that recorded them (same NumPy, SciPy, Pillow, ffmpeg and the
same floating-point results): `FINGERPRINT` says which. On another platform the table is
skipped with the reason; record new pins there with `CFT_AUDIO_REPIN=1 pytest
tests/test_pinned_output.py -n 0 -s` and paste what it prints.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from cft_audio import Renderer, Request
from cft_audio.pipeline import RenderContext

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
    "breath-mono-flac": "dff2832bf37b96df9e0096665d4ecbc1d9ab15befbc64d0feb0f2aa77569ec67",
    "breath-standard-seed": "fa6c48f71dd6dd733bceeb1935e0285c175d87bcc4f70cf4a769e78d482d288b",
    "breath-tone-short": "51a2d1c5cf7f11e3583d8e8963dce1e452ece100855089213f5915473e1394d7",
    "other-bowls-moderate": "49450f42517081f93f83abc102dea8ff3622745c9d189dce4de9857634faf167",
    "other-gentle-minutes-rain": "d5cf757ce946b0146e23be486b7226e0381b7c026d60be7d9e22e3d514582272",
    "other-own-words-flac": "8eec30b27a724e68b79780724a6e5ffc041d15d89d95c9f79554233c367b0979",
    "other-warm-slow-ocean-wav": "1f4e6f0f0a8857093bef69564399c896d5aa761cef0c4ddd3e776e68201b588c",
    "safe-place-details-mono": "38467b509c009f1cb97ee8018dc92801ad5d8eedb8887ed4454d6c5d7f84b3dc",
    "safe-place-own-place-accessible":
        "a40cc69ae2ecfb7d6cf6d1f33cd3ff39a6494dfa3a998bc9ef26303c5d761c9a",
    "safe-place-stream": "76f36439aeebf9dcccc497940857f8f4741b3616c1463bd15abf9bd92199ca55",
    "self-gentle-bright-brisk": "1f85179f86a112031226a03f1ca4a492f7cca97597724386db0e4a29654278fb",
    "self-minutes": "f3155a722e66ed6a54a077d448378f8e5d2a79915f54ec41dc8a47f19a39db9d",
    "self-say-tags": "314c5ba271d7774714fafa5a12742aa74abb11dd54bea6cc21f8e61272498473",
    "piper-breath-short-wav": "74a033db8620450acc0976abfc297102bb58546fa4d65f01a91088b0d867c330",
    "piper-safe-place-short": "892e7bd8d1913e405e46cb07339e0e9e23bed97a6a6c239a4e321c471652e843",
    "heart-other-calm-moderate-flac":
        "875c7dbcee2f456aee1c4140bb151d2b5f445087be87e452687ed996c1ecd969",
    "heart-safe-place-bright-brisk-wav":
        "7f4a5577aff5e9edd01dd7a2abca25bd25eb7bef19ffc0ff7cf23646068827bf",
}


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


def _check(stem: str, path: Path) -> None:
    if os.environ.get("CFT_AUDIO_REPIN"):
        print(f'    "{stem}": "{_hash(path)}",')
        return
    if platform_fingerprint() != FINGERPRINT:
        pytest.skip(f"pins were recorded on {FINGERPRINT!r}; this is {platform_fingerprint()!r}")
    assert _hash(path) == PINS[stem], f"{stem}: the output bytes changed"


@pytest.mark.parametrize("stem", sorted(ROWS))
def test_fake_voice_output_is_byte_identical(stem: str, fake_context: RenderContext,
                                             out_dir: Path) -> None:
    result = Renderer(fake_context).render(_request(ROWS[stem], out_dir, stem))
    _check(stem, result.path)


@pytest.mark.e2e
@pytest.mark.parametrize("stem", sorted(PIPER_ROWS))
def test_piper_output_is_byte_identical(stem: str, out_dir: Path) -> None:
    result = Renderer(RenderContext(cache=None)).render(_request(PIPER_ROWS[stem], out_dir, stem))
    _check(stem, result.path)


def test_fingerprint() -> None:
    if os.environ.get("CFT_AUDIO_REPIN"):
        print(f'FINGERPRINT = "{platform_fingerprint()}"')
