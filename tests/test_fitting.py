"""Duration fitting: pauses scale to hit a target exactly, within 1 to 60 seconds each."""

from __future__ import annotations

import pytest

from cft_audio.script.fitting import (
    MAX_PAUSE,
    MIN_PAUSE,
    TargetOutOfReach,
    clamp_pauses,
    fit_pauses,
)

PAUSES = (2.0, 5.0, 10.0, 30.0)


@pytest.mark.parametrize("target", [60.0, 100.0, 147.0, 200.0, 250.0])
def test_fit_hits_target(target):
    fitted = fit_pauses(PAUSES, 50.0, target)
    assert sum(fitted) + 50.0 == pytest.approx(target, abs=1e-6)
    assert all(MIN_PAUSE <= p <= MAX_PAUSE for p in fitted)


def test_fit_keeps_proportions_when_unclamped():
    fitted = fit_pauses(PAUSES, 0.0, sum(PAUSES) * 1.5)
    assert fitted == pytest.approx(tuple(p * 1.5 for p in PAUSES))


@pytest.mark.parametrize("target", [50.0, 53.9, 290.1, 1000.0])
def test_out_of_reach(target):
    with pytest.raises(TargetOutOfReach) as caught:
        fit_pauses(PAUSES, 50.0, target)
    assert caught.value.feasible.shortest == 54.0
    assert caught.value.feasible.longest == 290.0


def test_clamp():
    assert clamp_pauses((0.2, 5.0, 90.0)) == (1.0, 5.0, 60.0)
