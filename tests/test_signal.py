"""The NumPy polyphase resampler matches SciPy's resample_poly (same filter, same alignment)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly as scipy_resample_poly

from cft_audio.sound.signal import resample, resample_poly


@pytest.mark.parametrize(("up", "down", "length"), [
    (2, 1, 22050),      # Piper's 22.05 kHz to the working 44.1 kHz
    (1, 2, 777),
    (147, 160, 50001),  # 48 kHz to 44.1 kHz
    (89, 84, 12345),    # a pitch shift of about one semitone
    (84, 89, 12345),
    (3, 7, 10),
    (5, 1, 1),
    (4, 4, 100),
])
def test_matches_scipy(up, down, length):
    x = np.random.default_rng(length).standard_normal(length)
    ours, theirs = resample_poly(x, up, down), scipy_resample_poly(x, up, down)
    assert ours.dtype == np.float32
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_a_tone_keeps_its_frequency_and_level():
    rate = 22050
    t = np.arange(rate) / rate
    out = resample(0.5 * np.sin(2 * np.pi * 440 * t), rate, 44100)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(len(out))))
    assert np.argmax(spectrum) * 44100 / len(out) == pytest.approx(440, abs=1)
    assert np.max(np.abs(out[1000:-1000])) == pytest.approx(0.5, rel=0.01)
