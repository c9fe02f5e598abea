"""Timing: how long each cue lasts, and pauses fitted to hit a target within 1 to 60 seconds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cft_audio.script.cues import Bell, Breath, Pause, Say, Script, Section
from cft_audio.script.timing import (
    BELL_SPACING,
    IMAGERY_PAUSE,
    LEAD_IN,
    MAX_PAUSE,
    MIN_PAUSE,
    PLANNING_MARGIN,
    TAIL,
    TargetOutOfReach,
    clamp_pauses,
    estimate,
    fit_pauses,
    fixed_seconds,
    floor,
    nominal_pauses,
    pause_lengths,
    reach,
    schedule,
    sections,
    timed,
)
from cft_audio.voices.presets import PACES

PAUSES = (2.0, 5.0, 10.0, 30.0)
CUES = (Section("One"), Say("a b c"), Say("d e"), Pause(3.0), Bell(), Breath(1.0, 2.0, 2),
        Pause(12.0, imagery=True), Section("Two"), Say("f"))
SPEECH = (1.25, 0.5, 2.0)
SCRIPT = Script(exercise="test", title="Test", length="short", cues=CUES, text="")


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
    assert caught.value.reach.shortest == 54.0
    assert caught.value.reach.longest == 290.0
    assert caught.value.reach.natural == 50.0 + sum(PAUSES)


def test_clamp():
    assert clamp_pauses((0.2, 5.0, 90.0)) == (1.0, 5.0, 60.0)


def test_a_plain_pause_floors_at_min_pause_and_an_imagery_pause_higher():
    assert floor(Pause(0.5)) == MIN_PAUSE
    assert floor(Pause(0.5, imagery=True)) == IMAGERY_PAUSE > MIN_PAUSE
    assert nominal_pauses(SCRIPT, PACES["brisk"]) == (3.0 * 0.8, 12.0 * 0.8)


def test_schedule_gives_each_cue_its_length_and_a_gap_only_between_sentences():
    timeline = schedule(CUES, SPEECH, pauses=(4.0, 9.0), sentence_gap=0.5)
    starts = [t.start for t in timeline.cues]
    b0 = LEAD_IN + 1.25 + 0.5 + 0.5 + 4.0
    assert starts == pytest.approx([LEAD_IN, LEAD_IN, LEAD_IN + 1.75, LEAD_IN + 2.25, b0,
                                    b0 + BELL_SPACING, b0 + BELL_SPACING + 6.0,
                                    b0 + BELL_SPACING + 15.0, b0 + BELL_SPACING + 15.0])
    assert timeline.seconds == pytest.approx(timeline.cues[-1].end + TAIL)
    assert pause_lengths(timeline.cues) == pytest.approx((4.0, 9.0))
    assert [title for _, title in sections(timeline.cues)] == ["One", "Two"]


@pytest.mark.parametrize("pauses", [(1.0, 8.0), (4.0, 9.0), (60.0, 60.0)])
def test_the_fixed_length_and_the_schedule_agree(pauses):
    """What fitting counts as fixed is the schedule's length without its pauses."""
    whole = schedule(CUES, SPEECH, pauses, sentence_gap=0.7).seconds
    assert fixed_seconds(CUES, SPEECH, 0.7) + sum(pauses) == pytest.approx(whole)


@pytest.mark.parametrize("target", [40.0, 60.0, 100.0])
def test_a_timed_track_hits_its_target(target):
    pace = PACES["moderate"]
    assert timed(SCRIPT, pace, SPEECH, target).seconds == pytest.approx(target, abs=1e-6)


def test_a_timed_track_out_of_reach_is_refused_with_its_reach():
    with pytest.raises(TargetOutOfReach) as caught:
        timed(SCRIPT, PACES["moderate"], SPEECH, 10.0)
    assert caught.value.reach.shortest == pytest.approx(
        fixed_seconds(CUES, SPEECH, PACES["moderate"].between_sentences) + MIN_PAUSE
        + IMAGERY_PAUSE)


def test_the_estimate_is_narrowed_by_the_planning_margin():
    pace = PACES["slow"]
    estimated = estimate(SCRIPT, pace, length_scale=1.4)
    fixed = estimated.natural - sum(nominal_pauses(SCRIPT, pace))
    whole = reach(nominal_pauses(SCRIPT, pace), fixed, (MIN_PAUSE, IMAGERY_PAUSE))
    assert estimated.shortest == pytest.approx(whole.shortest * (1 + PLANNING_MARGIN))
    assert estimated.longest == pytest.approx(whole.longest * (1 - PLANNING_MARGIN))
    assert estimated.reaches(estimated.natural)


TIMING_NAMES = {"LEAD_IN", "TAIL", "BELL_SPACING", "MIN_PAUSE", "MAX_PAUSE", "IMAGERY_PAUSE",
                "WORDS_PER_SECOND", "PLANNING_MARGIN"}


def test_the_timing_rules_are_defined_in_one_module():
    package = Path(__file__).resolve().parent.parent / "cft_audio"
    where = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [
                node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id in TIMING_NAMES:
                    where.setdefault(target.id, []).append(path.relative_to(package).as_posix())
    assert where == {name: ["script/timing.py"] for name in TIMING_NAMES}
