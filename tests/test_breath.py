"""Breath-pacing tone: exact length, swells up with each in-breath and down with each out-breath."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio.errors import ScriptError
from cft_audio.sound.breath import HIGH_HZ, LOW_HZ, PEAK, breath_tone

from .signals import rms, worst_jump, worst_jump_near

RATE = 44100
INHALE, EXHALE, CYCLES = 4.0, 6.0, 3


@pytest.fixture(scope="module")
def tone():
    """Three cycles of in 4 s, out 6 s."""
    return breath_tone(INHALE, EXHALE, CYCLES, RATE)


def _phases(cycle: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Sample spans of the in-breath and the out-breath of one cycle."""
    start = cycle * (INHALE + EXHALE)
    turn = start + INHALE
    return ((int(start * RATE), int(turn * RATE)),
            (int(turn * RATE), int((turn + EXHALE) * RATE)))


def _pitch(samples: np.ndarray) -> float:
    """Fundamental in Hz from upward zero crossings (the soft harmonics add none)."""
    upward = np.flatnonzero((samples[:-1] <= 0) & (samples[1:] > 0))
    return float((len(upward) - 1) * RATE / (upward[-1] - upward[0]))


@pytest.mark.parametrize(("inhale", "exhale", "cycles", "rate"),
                         [(4, 6, 3, 44100), (3.3, 5.7, 2, 22050), (1.01, 1.3, 1, 48000),
                          (5, 7, 0, 44100)])
def test_length_is_exact(inhale, exhale, cycles, rate):
    out = breath_tone(inhale, exhale, cycles, rate)
    assert out.dtype == np.float32 and out.ndim == 1
    assert len(out) == round((inhale + exhale) * cycles * rate)


def test_swells_up_on_inhale_and_down_on_exhale(tone):
    for cycle in range(CYCLES):
        for (a, b), rising in zip(_phases(cycle), (True, False), strict=True):
            third = (b - a) // 3
            first, last = rms(tone[a : a + third]), rms(tone[b - third : b])
            assert (last > 2 * first) if rising else (first > 2 * last)


def test_pitch_is_higher_at_the_end_of_the_inhale(tone):
    for cycle in range(CYCLES):
        (a, b), (c, d) = _phases(cycle)
        late_in = _pitch(tone[a + (b - a) * 6 // 10 : a + (b - a) * 9 // 10])
        late_out = _pitch(tone[c + (d - c) * 5 // 10 : c + (d - c) * 8 // 10])
        assert late_in > late_out + 8  # measured 216 and 203 Hz
        assert LOW_HZ <= late_out < late_in <= HIGH_HZ


def test_smooth_soft_and_centred(tone):
    assert worst_jump(tone) < 3.0  # measured 2.2
    assert float(np.max(np.abs(tone))) == pytest.approx(PEAK, abs=1e-6)
    assert tone[0] == 0.0 and abs(float(tone[-1])) < 1e-6
    assert abs(float(np.mean(tone))) < 0.01 * rms(tone)


def test_no_jump_at_phase_boundaries(tone):
    edges = [(a / RATE) for cycle in range(CYCLES) for a, _ in _phases(cycle)]
    assert worst_jump_near(tone, edges[1:], RATE, reach=0.01) < 2.5  # measured 2.15, as elsewhere


@pytest.mark.parametrize(("inhale", "exhale", "cycles"), [(0, 6, 3), (4, -1, 3), (4, 6, -1)])
def test_rejects_impossible_breathing(inhale, exhale, cycles):
    with pytest.raises(ScriptError):
        breath_tone(inhale, exhale, cycles, RATE)


def test_a_tone_is_made_once_per_shape_and_cannot_be_changed():
    first = breath_tone(4.0, 6.0, 2, RATE)
    assert breath_tone(4.0, 6.0, 2, RATE) is first
    assert breath_tone(4.0, 6.0, 3, RATE) is not first
    with pytest.raises(ValueError):
        first[0] = 1.0
