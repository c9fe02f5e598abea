"""Mastering on generated signals: loudness target, true-peak ceiling, fades, ducking."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio.sound.analysis import integrated_loudness, true_peak_db
from cft_audio.sound.master import CEILING_DBTP, TARGET_LUFS, master
from cft_audio.sound.mix import duck_curve, mix

RATE = 44100


def speech_like(seconds: float, seed: int = 0) -> np.ndarray:
    """Bursts of harmonic tone with sharp peaks, like syllables, with gaps."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    syllables = (np.sin(2 * np.pi * 3.0 * t) > 0.2) * (np.sin(2 * np.pi * 0.2 * t) > -0.3)
    return (0.2 * voice * syllables + 0.002 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.mark.parametrize("scale", [0.01, 0.3, 2.0])
def test_master_hits_loudness_and_ceiling(scale):
    mono = speech_like(60) * scale
    mastered = master(np.stack([mono, mono], axis=1), RATE)
    assert integrated_loudness(mastered.audio, RATE) == pytest.approx(TARGET_LUFS, abs=0.3)
    assert true_peak_db(mastered.audio, RATE) <= CEILING_DBTP + 0.05
    assert mastered.audio[0].max() == 0.0  # fades in from silence
    assert np.abs(mastered.audio[-10:]).max() < 1e-3  # fades out


def test_true_peak_sees_between_samples():
    n = np.arange(RATE)
    tone = (0.5 * np.sin(2 * np.pi * (RATE / 4) * n / RATE + np.pi / 4)).astype(np.float32)
    assert 20 * np.log10(np.abs(tone).max()) == pytest.approx(-9.03, abs=0.01)
    assert true_peak_db(tone, RATE) == pytest.approx(-6.02, abs=0.3)


def test_duck_curve_is_low_under_speech_and_rises_between():
    spans = [(RATE, 3 * RATE), (10 * RATE, 12 * RATE)]
    curve = duck_curve(15 * RATE, spans, RATE, rise_db=8.0)
    assert np.allclose(curve[RATE : 3 * RATE], 1.0)
    assert curve[6 * RATE] == pytest.approx(10 ** (8 / 20), rel=1e-3)
    assert np.abs(np.diff(curve)).max() < 1e-3  # no sudden steps


def test_mix_keeps_bed_well_under_speech():
    speech = np.zeros(10 * RATE, np.float32)
    speech[RATE : 4 * RATE] = speech_like(3)
    bed = np.random.default_rng(1).standard_normal((10 * RATE, 2)).astype(np.float32) * 0.1
    mixed = mix(speech, [(RATE, 4 * RATE)], bed, RATE)
    under = mixed[RATE : 4 * RATE, 0] - speech[RATE : 4 * RATE]
    ratio = 20 * np.log10(np.std(speech[RATE : 4 * RATE]) / np.std(under))
    assert ratio >= 20.0
