"""Mastering on generated signals: loudness target, true-peak ceiling, fades, ducking."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cft_audio.sound.analysis import integrated_loudness, true_peak_db
from cft_audio.sound.beds import BEDS
from cft_audio.sound.master import (
    CEILING_DBTP,
    TARGET_LUFS,
    limit_stream,
    mastered_blocks,
    plan_master,
)
from cft_audio.sound.meter import LoudnessMeter, PeakMeter
from cft_audio.sound.mix import MixStats, bed_level, duck_curve, mix_blocks
from cft_audio.sound.timeline import Placement, Timeline

RATE = 44100


def speech_like(seconds: float, seed: int = 0) -> np.ndarray:
    """Bursts of harmonic tone with sharp peaks, like syllables, with gaps."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    syllables = (np.sin(2 * np.pi * 3.0 * t) > 0.2) * (np.sin(2 * np.pi * 0.2 * t) > -0.3)
    return (0.2 * voice * syllables + 0.002 * rng.standard_normal(t.size)).astype(np.float32)


def blocks_of(audio: np.ndarray, seed: int = 0):
    """A maker of irregular consecutive blocks of `audio`, as a streaming source gives."""
    def make():
        rng, start = np.random.default_rng(seed), 0
        while start < len(audio):
            size = int(rng.integers(1, 90_000))
            yield audio[start : start + size]
            start += size
    return make


@pytest.mark.parametrize("scale", [0.01, 0.3, 2.0])
def test_streamed_master_hits_loudness_and_ceiling(scale):
    mono = speech_like(60) * scale
    stereo = np.stack([mono, mono], axis=1)
    make = blocks_of(stereo)
    plan = plan_master(make, len(stereo), RATE)
    out = np.concatenate(list(mastered_blocks(make, len(stereo), RATE, plan.gain)))
    assert out.shape == stereo.shape
    assert integrated_loudness(out, RATE) == pytest.approx(TARGET_LUFS, abs=0.15)
    assert plan.loudness == pytest.approx(integrated_loudness(out, RATE), abs=0.1)
    assert true_peak_db(out, RATE) <= CEILING_DBTP + 0.05
    assert out[0].max() == 0.0  # fades in from silence
    assert np.abs(out[-10:]).max() < 1e-3  # fades out


def test_stream_does_not_depend_on_how_the_input_is_cut():
    mono = speech_like(20, seed=3) * 3.0  # loud: the limiter works hard
    stereo = np.stack([mono, 0.8 * mono], axis=1)
    one = np.concatenate(list(limit_stream(blocks_of(stereo, 1)(), RATE)))
    two = np.concatenate(list(limit_stream(blocks_of(stereo, 2)(), RATE)))
    assert np.array_equal(one, two)
    assert true_peak_db(one, RATE) <= CEILING_DBTP + 0.05


def test_meters_match_whole_signal_measures():
    audio = np.stack([speech_like(30, 4), speech_like(30, 5)], axis=1)
    loudness, peak = LoudnessMeter(RATE), PeakMeter(RATE)
    for block in blocks_of(audio, 7)():
        loudness.add(block)
        peak.add(block)
    assert loudness.integrated() == pytest.approx(integrated_loudness(audio, RATE), abs=1e-9)
    assert peak.db == pytest.approx(true_peak_db(audio, RATE), abs=1e-6)


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


@pytest.mark.parametrize("block", [441, 10_000, 65_536])
def test_duck_curve_in_blocks_equals_the_whole_curve(block):
    spans = [(RATE, 3 * RATE), (4 * RATE, 4 * RATE + 500), (10 * RATE, 12 * RATE)]
    frames = 15 * RATE
    whole = duck_curve(frames, spans, RATE)
    pieces = [duck_curve(frames, spans, RATE, start=s, count=min(block, frames - s))
              for s in range(0, frames, block)]
    np.testing.assert_array_equal(np.concatenate(pieces), whole)


def timeline_with_speech(seconds: float = 12.0) -> Timeline:
    """A foreground with two speech-like phrases, as layout would place them."""
    phrase = speech_like(3)
    spans = ((RATE, 4 * RATE), (7 * RATE, 10 * RATE))
    return Timeline(sources=(phrase,), placements=(Placement(RATE, 0), Placement(7 * RATE, 0)),
                    frames=int(seconds * RATE), speech_spans=spans, cues=(), sample_rate=RATE)


@pytest.mark.parametrize(
    ("offset", "accessible", "expected"),
    [(0.0, False, 22.0), (-6.0, False, 28.0), (10.0, False, 16.0), (0.0, True, 26.0),
     (6.0, True, 26.0)],
)
def test_speech_to_background_ratio_follows_the_level(offset, accessible, expected):
    timeline = timeline_with_speech()
    stats = MixStats()
    level = bed_level(offset, accessible)
    mixed = np.concatenate(list(mix_blocks(timeline, BEDS["brown-noise"], 1, level,
                                           stats=stats, block=10_000)))
    voice = np.concatenate(list(mix_blocks(timeline, BEDS["brown-noise"], 1, level,
                                           stem="voice")))
    bed = np.concatenate(list(mix_blocks(timeline, BEDS["brown-noise"], 1, level, stem="bed")))
    np.testing.assert_allclose(voice + bed, mixed, atol=1e-6)
    inside = np.concatenate([np.arange(a, b) for a, b in timeline.speech_spans])
    measured = 10 * np.log10(np.mean(voice[inside] ** 2) / np.mean(bed[inside] ** 2))
    assert measured == pytest.approx(stats.speech_to_background_db, abs=0.01)
    assert measured == pytest.approx(expected, abs=1.5)
    assert measured >= (20.0 if accessible else 15.0)


def clicky_tone(peaky: bool) -> np.ndarray:
    """A steady tone (the limiter idles), or with sharp clicks four times a second (it works)."""
    t = np.arange(30 * RATE) / RATE
    mono = 0.1 * np.sin(2 * np.pi * 220 * t)  # crest factor 3 dB
    if peaky:
        mono[:: RATE // 4] = 0.9
    return np.stack([mono, mono], axis=1).astype(np.float32)


@pytest.mark.parametrize("peaky", [False, True])
def test_the_plan_listens_once_and_predicts_the_limited_loudness(peaky):
    stereo = clicky_tone(peaky)
    calls = []

    def make():
        calls.append(1)
        return blocks_of(stereo)()

    plan = plan_master(make, len(stereo), RATE)
    out = np.concatenate(list(mastered_blocks(blocks_of(stereo), len(stereo), RATE, plan.gain)))
    assert len(calls) == 1
    assert integrated_loudness(out, RATE) == pytest.approx(plan.loudness, abs=0.05)
    assert integrated_loudness(out, RATE) == pytest.approx(TARGET_LUFS, abs=0.1)
    assert plan.on_target(integrated_loudness(out, RATE))


def test_a_missed_pass_is_corrected_by_what_it_measured():
    stereo = speech_like(40, seed=2) * 2.0  # the limiter works hard
    stereo = np.stack([stereo, stereo], axis=1)
    plan = plan_master(blocks_of(stereo), len(stereo), RATE)
    missed = replace(plan, gain=plan.gain * 10 ** (-1.5 / 20))  # as if the model were off
    out = np.concatenate(list(mastered_blocks(blocks_of(stereo), len(stereo), RATE, missed.gain)))
    measured = integrated_loudness(out, RATE)
    assert not missed.on_target(measured)
    fixed = missed.corrected(measured)
    out = np.concatenate(list(mastered_blocks(blocks_of(stereo), len(stereo), RATE, fixed.gain)))
    assert integrated_loudness(out, RATE) == pytest.approx(TARGET_LUFS, abs=0.1)
    assert true_peak_db(out, RATE) <= CEILING_DBTP + 0.05
