"""The limiter's true-peak gate is exact: the same output as oversampling every sample.

`ceiling_envelope` skips oversampling a run of samples only where the interpolation
filter's bound (the largest sum of |taps| of a phase times the sample peak of the run
and the 6 samples either side) stays under the ceiling. Checked on true-peak signals in
the manner of EBU Tech 3341 (tones whose samples miss their crests, single-sample peaks),
at the edges of the runs, and on a real render with the hibari voice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cft_audio.sound.master as master
from cft_audio import Renderer, Request
from cft_audio.ffmpeg import decode
from cft_audio.pipeline import RenderContext
from cft_audio.sound import RATE as TRACK_RATE
from cft_audio.sound.analysis import (
    _BLOCK,
    _runs_reaching,
    ceiling_envelope,
    interpolation_gain,
    peak_envelope,
    true_peak_db,
)
from cft_audio.sound.master import CEILING_DBTP, limit_stream
from cft_audio.sound.signal import db_to_gain

from .test_analyse import oversampled_everywhere
from .test_master import blocks_of, speech_like

RATE = 48000
CEILING = db_to_gain(CEILING_DBTP)


def tone(hz: float, degrees: float, true_peak_db: float, seconds: float = 0.5) -> np.ndarray:
    """A sine whose crest (between samples, at `degrees` of phase) is at `true_peak_db`."""
    n = np.arange(int(seconds * RATE))
    wave = np.sin(2 * np.pi * hz * n / RATE + np.radians(degrees))
    return (db_to_gain(true_peak_db) * wave).astype(np.float32)


def ebu_like() -> np.ndarray:
    """True-peak cases one after another, over silence: quarter-rate tones at phases where
    the samples sit up to 3 dB under the crest, a tone near the top of the band, and
    single-sample peaks (an impulse rings between samples)."""
    gap = np.zeros(RATE // 4, np.float32)
    parts = [tone(RATE / 4, d, 0.0) for d in (0.0, 45.0, 60.0, 67.5)]
    parts += [tone(19_000, 0.0, -0.5), tone(1_000, 0.0, -12.0)]
    clicks = np.zeros(RATE // 2, np.float32)
    clicks[[1000, 5000, 5001, 9000]] = [0.99, 0.9, -0.9, -0.7]
    mono = np.concatenate([part for p in [*parts, clicks] for part in (gap, p)])
    return np.stack([mono, 0.7 * mono[::-1]], axis=1)


def at_run_edges(seed: int) -> np.ndarray:
    """Loud samples just before a run's end, then quiet: between-sample peaks past the edge."""
    rng = np.random.default_rng(seed)
    audio = np.zeros((_BLOCK * 400, 1), np.float32)
    for run in range(2, 398, 3):
        edge, count = run * _BLOCK, int(rng.integers(1, 6))
        start = edge - int(rng.integers(0, 6)) - count
        audio[start : start + count, 0] = rng.choice([-1.0, 1.0], count) * rng.uniform(
            0.8, 1.6, count) * CEILING
        audio[edge : edge + 128, 0] = rng.uniform(-0.39, 0.39, 128) * CEILING
    return audio


def everywhere(segment: np.ndarray, sample_rate: int, ceiling: float) -> np.ndarray:
    """The envelope with every run oversampled (the reference for the gate)."""
    return peak_envelope(segment, sample_rate, floor=0.0)


def limited(audio: np.ndarray) -> np.ndarray:
    return np.concatenate(list(limit_stream(blocks_of(audio, 3)(), RATE)))


def test_the_bound_is_the_largest_phase_sum_of_the_taps():
    assert interpolation_gain() == pytest.approx(1.5809, abs=1e-4)  # +3.98 dB
    reference = oversampled_everywhere(at_run_edges(0))
    assert reference.max() <= interpolation_gain() * np.abs(at_run_edges(0)).max()


@pytest.mark.parametrize("signal", [ebu_like(), at_run_edges(1), at_run_edges(2),
                                    np.stack([speech_like(20, 5)] * 2, axis=1) * 4.0],
                         ids=["ebu-like", "run-edges-1", "run-edges-2", "loud-speech"])
def test_the_envelope_is_exact_at_and_over_the_ceiling(signal):
    reference = oversampled_everywhere(signal)
    envelope = ceiling_envelope(signal.copy(), RATE, CEILING)
    reaching = reference >= CEILING
    assert reaching.any()
    np.testing.assert_allclose(envelope[reaching], reference[reaching], rtol=1e-6)
    assert np.all(envelope <= reference + 1e-6)
    assert np.all(envelope >= np.abs(signal).max(axis=1))


@pytest.mark.parametrize(("side", "distance"), [("before", d) for d in range(1, 7)]
                         + [("after", d) for d in range(1, 6)])
def test_a_sample_as_far_as_the_filter_reaches_is_seen_from_the_next_run(side, distance):
    from cft_audio.sound.analysis import _interpolation_phases

    edge = 4 * _BLOCK
    # the value after sample n is made from samples n-6 ... n+5 (tap k weighs sample n+5-k)
    at, tap = ((edge - distance, 5 + distance) if side == "before"
               else (edge + distance - 1, 5 - distance))
    looked_at = edge if side == "before" else edge - 1  # a silent run's first or last sample
    signal = np.zeros((8 * _BLOCK, 1), np.float32)
    signal[at] = 2 * CEILING / np.abs(_interpolation_phases()[1:, tap]).max()
    reference = oversampled_everywhere(signal)
    assert reference[looked_at] >= 2 * CEILING * (1 - 1e-5)  # silent samples, a loud peak
    envelope = ceiling_envelope(signal.copy(), RATE, CEILING)
    reaching = reference >= CEILING
    np.testing.assert_allclose(envelope[reaching], reference[reaching], rtol=1e-6)


def test_the_worst_pattern_of_signs_reaches_the_bound_and_is_seen():
    from cft_audio.sound.analysis import _interpolation_phases

    phase = _interpolation_phases()[2]
    level = CEILING / np.abs(phase).sum() * 1.001  # samples 3.97 dB under the ceiling
    signal = np.zeros((4 * _BLOCK, 1), np.float32)
    n = 2 * _BLOCK + 100
    signal[n + 5 - np.arange(12), 0] = level * np.sign(phase)  # every tap adds
    reference = oversampled_everywhere(signal)
    assert reference[n] >= CEILING
    envelope = ceiling_envelope(signal.copy(), RATE, CEILING)
    assert envelope[n] == pytest.approx(reference[n], rel=1e-6)


def test_the_old_six_db_gate_missed_peaks_past_a_runs_edge():
    signal = at_run_edges(1)
    reference = oversampled_everywhere(signal)
    reaching = reference >= CEILING
    old = peak_envelope(signal.copy(), RATE, floor=CEILING)
    new = ceiling_envelope(signal.copy(), RATE, CEILING)
    assert np.sum(old[reaching] < reference[reaching] * (1 - 1e-6)) > 0
    assert np.sum(new[reaching] < reference[reaching] * (1 - 1e-6)) == 0


@pytest.mark.parametrize("signal", [ebu_like(), at_run_edges(3),
                                    np.stack([speech_like(20, 6)] * 2, axis=1) * 3.0],
                         ids=["ebu-like", "run-edges", "loud-speech"])
def test_the_gated_limiter_equals_the_one_that_oversamples_everything(signal, monkeypatch):
    gated = limited(signal)
    monkeypatch.setattr(master, "ceiling_envelope", everywhere)
    assert np.array_equal(gated, limited(signal))
    assert true_peak_db(gated, RATE) <= CEILING_DBTP + 0.05


@pytest.mark.e2e
def test_a_real_render_is_the_same_with_the_gate_and_stays_under_minus_one(
        tmp_path: Path, monkeypatch):
    renderer = Renderer(RenderContext(cache=None))
    request = dict(exercise="safe-place", length="short", voice="heart", background="ocean",
                   format="wav")
    gated = renderer.render(Request(**request, output=tmp_path / "gated.wav")).path
    audio = decode(gated)
    assert true_peak_db(audio, TRACK_RATE) <= -1.0
    near = _runs_reaching(np.abs(audio).max(axis=1), CEILING / interpolation_gain())
    assert len(near) < len(audio) / _BLOCK / 2  # the gate skips most of a guided track
    monkeypatch.setattr(master, "ceiling_envelope", everywhere)
    reference = renderer.render(Request(**request, output=tmp_path / "everywhere.wav")).path
    assert gated.read_bytes() == reference.read_bytes()
