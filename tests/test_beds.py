"""Background beds: seeded, stereo, level-normalised, no DC, smooth."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio.sound.beds import BED_RMS, BEDS

from .signals import worst_jump

RATE = 44100
SOUNDING = [name for name in BEDS if name != "none"]


@pytest.fixture(scope="module")
def rendered():
    """Twenty seconds of every bed, seed 7."""
    return {name: BEDS[name].render(20 * RATE, RATE, 7) for name in BEDS}


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_level_shape_and_dc(rendered, name):
    audio = rendered[name]
    assert audio.shape == (20 * RATE, 2) and audio.dtype == np.float32
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) == pytest.approx(BED_RMS, rel=0.01)
    assert np.abs(audio.mean(axis=0)).max() < 0.01 * BED_RMS
    assert not np.allclose(audio[:, 0], audio[:, 1])  # real stereo


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_is_seeded(rendered, name):
    again = BEDS[name].render(20 * RATE, RATE, 7)
    other = BEDS[name].render(20 * RATE, RATE, 8)
    assert np.array_equal(rendered[name], again)
    assert not np.array_equal(rendered[name], other)


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_has_no_clicks(rendered, name):
    assert worst_jump(rendered[name]) < 7.0


def test_none_is_silent(rendered):
    assert not rendered["none"].any()


def test_ocean_swells(rendered):
    mono = rendered["ocean"].mean(axis=1)
    levels = np.sqrt(np.mean(mono[: 20 * RATE].reshape(40, -1) ** 2, axis=1))
    assert levels.max() / levels.min() > 2.0  # waves come and go
