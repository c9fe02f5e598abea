"""Timeline and pipeline with the fake engine: exact placement and exact durations."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio import Renderer, Request
from cft_audio.script.cues import Bell, Breath, Pause, Say, Section
from cft_audio.script.timing import BELL_SPACING, LEAD_IN, TAIL, schedule
from cft_audio.sound.timeline import layout

RATE = 1000


def _seconds(speech: list[np.ndarray]) -> list[float]:
    return [len(clip) / RATE for clip in speech]


def test_layout_places_cues_in_order_with_gaps():
    cues = (Bell(), Section("One"), Say("a"), Say("b"), Pause(3.0), Breath(1.0, 2.0, 2), Say("c"))
    speech = [np.ones(500, np.float32), np.ones(250, np.float32), np.ones(1000, np.float32)]
    timeline = layout(schedule(cues, _seconds(speech), pauses=[3.0], sentence_gap=0.5), speech,
                      sample_rate=RATE)
    starts = [round(t.start, 6) for t in timeline.cues]
    b0 = LEAD_IN + BELL_SPACING
    assert starts == [LEAD_IN, b0, b0, b0 + 1.0, b0 + 1.25, b0 + 4.25, b0 + 10.25]
    assert timeline.seconds == pytest.approx(b0 + 11.25 + TAIL)
    assert timeline.speech_spans[1] == (int((b0 + 1.0) * RATE), int((b0 + 1.25) * RATE))


def test_pauses_are_true_silence_without_a_bell():
    speech = [np.ones(500, np.float32), np.ones(500, np.float32)]
    cues = (Say("a"), Pause(4.0), Say("b"))
    timeline = layout(schedule(cues, _seconds(speech), [4.0], 0.5), speech, RATE)
    pause = timeline.foreground[int((LEAD_IN + 0.5) * RATE) : int((LEAD_IN + 4.5) * RATE)]
    assert len(pause) == 4 * RATE and not pause.any()


def test_pipeline_track_length_matches_layout(fake_context, out_dir):
    request = Request("soothing-breath", length="short", output=out_dir, format="wav",
                      background="none")
    result = Renderer(fake_context).render(request)
    says = [t for t in result.cues if isinstance(t.cue, Say)]
    assert says and all(t.end > t.start for t in says)
    assert result.seconds == pytest.approx(result.cues[-1].end + TAIL, abs=0.01)
    assert result.path.exists() and result.path.suffix == ".wav"


def test_minutes_are_met_exactly_with_fake_voice(fake_context, out_dir):
    request = Request("safe-place", minutes=5.0, output=out_dir, format="wav",
                      background="none")
    result = Renderer(fake_context).render(request)
    assert result.seconds == pytest.approx(300.0, abs=0.05)


@pytest.mark.parametrize("minutes", [7.5, 12.0, 25.0])
def test_minutes_are_met_exactly_by_the_layout(fake_context, minutes):
    _, timeline = Renderer(fake_context).timeline(Request("safe-place", minutes=minutes))
    assert timeline.seconds == pytest.approx(minutes * 60, abs=0.05)


def test_each_sentence_is_synthesised_once(fake_context, fake_engine, out_dir):
    renderer = Renderer(fake_context)
    script = renderer.script(Request("compassionate-self", length="short"))
    renderer.render(Request("compassionate-self", length="short", output=out_dir,
                            format="wav", background="none"))
    assert fake_engine.calls == len(set(script.sentences))


def test_unknown_stem_is_refused_before_any_work(fake_context, fake_engine, out_dir):
    from cft_audio import ArgumentError

    with pytest.raises(ArgumentError, match="stem"):
        Renderer(fake_context).render(Request("safe-place", output=out_dir), stem="drums")
    assert fake_engine.calls == 0 and not any(out_dir.iterdir())


def test_inserted_silences_are_faded_and_exact():
    from cft_audio.voices.piper import insert_silences

    audio = np.ones(1000, dtype=np.float32)
    out = insert_silences(audio, [600, 300, 0, 1000], length=50, fade=10)
    assert len(out) == 1100  # only the points inside the audio
    assert not out[300:350].any() and not out[650:700].any()
    assert np.all(out[:290] == 1.0) and np.all(out[360:640] == 1.0) and np.all(out[710:] == 1.0)
    assert 0.0 < out[299] < 0.2 and 0.0 < out[350] < 0.2  # faded out and back in


def test_pace_settles_and_clause_pauses_are_estimated_from_the_text():
    from cft_audio.voices.presets import PACES, added_pause_seconds

    slow = PACES["slow"]
    text = "Breathe in, slowly; and let go. Then rest \u2014 just here."
    expected = 3 * slow.clause_pause + 1 * slow.settle
    assert added_pause_seconds(text, "slow") == pytest.approx(expected)
    assert slow.between_sentences == pytest.approx(slow.sentence_gap + slow.settle)
