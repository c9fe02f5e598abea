"""The real hibari voice (heart): reproducible, paced where the marks are, tones, names, cache."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio import Renderer, Request
from cft_audio.errors import EngineError, InvalidRequest
from cft_audio.pipeline import RenderContext
from cft_audio.resources import voices_dir
from cft_audio.voices.cache import SpeechCache
from cft_audio.voices.engine import PEAK_CEILING, VoiceSettings
from cft_audio.voices.hibari import (
    _DURATION_TENSOR,
    _FRAMES_OUTPUT,
    HibariEngine,
    _timed_graph,
    is_hibari_model,
    shape_f0,
)
from cft_audio.voices.measure import f0_spread_semitones, median_f0, words_per_minute
from cft_audio.voices.presets import TONES, voice_settings
from cft_audio.voices.profiles import load_profiles, open_engine
from cft_audio.voices.text import lexicon_from_pairs, prepare

from .signals import silent_runs

pytestmark = pytest.mark.e2e
PARAGRAPH = (
    "Let yourself settle into a comfortable position.",
    "Notice the gentle rhythm of your breathing as it slows a little.",
    "There is nothing you need to do right now.",
)


def open_heart(**options) -> HibariEngine:
    return open_engine(load_profiles([voices_dir()])["heart"], **options)


@pytest.fixture(scope="module")
def heart():
    """The bundled hibari voice, loaded once for this module."""
    engine = open_heart()
    engine.load()
    return engine


def spoken(engine, settings):
    clips = [engine.synthesize(text, settings) for text in PARAGRAPH]
    return np.concatenate([c.samples for c in clips]), clips[0].sample_rate


def test_bundled_profile_is_a_hibari_voice_of_the_package():
    profile = load_profiles([voices_dir()])["heart"]
    assert (profile.engine, profile.gender, profile.language) == ("hibari", "female", "en_US")
    assert isinstance(open_heart(), HibariEngine)
    assert is_hibari_model(open_heart().model_path)


def test_the_timed_graph_is_the_model_with_one_more_node_and_output(tmp_path):
    """Appended at the wire level, it parses as the onnx package would have built it."""
    onnx = pytest.importorskip("onnx")
    path = open_heart().model_path
    model = onnx.load(str(path))
    model.graph.node.append(onnx.helper.make_node("Identity", [_DURATION_TENSOR],
                                                  [_FRAMES_OUTPUT]))
    model.graph.output.append(onnx.helper.make_tensor_value_info(
        _FRAMES_OUTPUT, onnx.TensorProto.INT64, None))
    timed = _timed_graph(path)
    assert onnx.load_from_string(timed).SerializeToString() == model.SerializeToString()
    other = tmp_path / "other.onnx"
    other.write_bytes(b"\x08\x07")
    with pytest.raises(EngineError, match="not a hibari model"):
        _timed_graph(other)


def test_same_sentence_same_settings_is_the_same_audio(heart):
    settings = voice_settings("warm", "slow")
    first = heart.synthesize(PARAGRAPH[0], settings)
    heart.synthesize(PARAGRAPH[1], settings)  # other work in between changes nothing
    np.testing.assert_array_equal(first.samples, heart.synthesize(PARAGRAPH[0], settings).samples)
    np.testing.assert_array_equal(first.samples,
                                  open_heart().synthesize(PARAGRAPH[0], settings).samples)
    assert first.sample_rate == 24000 and np.max(np.abs(first.samples)) <= PEAK_CEILING


def test_seed_changes_the_performance_not_the_words(heart):
    a = heart.synthesize(PARAGRAPH[0], VoiceSettings(seed=1))
    b = heart.synthesize(PARAGRAPH[0], VoiceSettings(seed=2))
    assert not np.array_equal(a.samples, b.samples)
    assert a.seconds == pytest.approx(b.seconds, abs=0.01)  # noise only: same timing


def test_clause_pauses_open_where_the_model_times_the_marks(heart):
    text = "Let it be, just as it is; and rest."
    plain = heart.synthesize(text, VoiceSettings())
    paused = heart.synthesize(text, VoiceSettings(clause_pause=0.4))
    assert paused.seconds - plain.seconds == pytest.approx(0.8, abs=0.01)
    runs = silent_runs(paused.samples, paused.sample_rate, 0.35)
    assert len(runs) == 2  # after "be," and after "is;"; none after "rest."
    # where the model's own durations put the marks, in the untrimmed audio
    ids = heart._tts.ids(heart.phonemes(text))
    frames = heart._tts.sess.run(None, {"ids": np.asarray([ids]),
                                        "speed": np.asarray([1.0], np.float32)})[-1]
    rate = paused.sample_rate
    untrimmed = heart.speak(text, VoiceSettings(clause_pause=0.4))
    seconds = np.cumsum(frames) / frames.sum() * (len(untrimmed) / rate - 0.8)
    marks = [seconds[i] for i, v in enumerate(ids[:-2]) if v in heart._marks]
    found = silent_runs(untrimmed, rate, 0.35)
    assert len(marks) == len(found) == 2
    for run, mark, before in zip(found, marks, (0.0, 0.4), strict=True):
        assert run - before == pytest.approx(mark, abs=0.1)  # within the mark or its space
    head = int(0.8 * runs[0] * rate)  # before the first pause: the same speech
    np.testing.assert_array_equal(paused.samples[:head], plain.samples[:head])


@pytest.mark.parametrize("voice", ["heart", "joe"])
def test_settle_lengthens_the_join_between_sentences_only(voice):
    engine = open_engine(load_profiles([voices_dir()])[voice])
    two, one = "Rest here. Breathe.", "Rest here, breathing."
    for text, added in ((two, 0.5), (one, 0.0)):
        plain = engine.synthesize(text, VoiceSettings())
        settled = engine.synthesize(text, VoiceSettings(settle=0.5))
        assert settled.seconds - plain.seconds == pytest.approx(added, abs=0.01)


def test_long_sentence_is_spoken_in_clause_chunks_joined_by_clause_pauses(heart):
    text = ", ".join(["and the light is soft and slow on the water today"] * 12) + "."
    chunks = heart.sentences(text)
    assert len(chunks) == 1 and len(chunks[0]) > 1  # one sentence, cut at its commas
    assert all(len(chunk) <= 400 and chunk.endswith((",", ".")) for chunk in chunks[0])
    clip = heart.synthesize(text, VoiceSettings(clause_pause=0.1))
    assert clip.seconds > 20


@pytest.mark.parametrize("semitones", [-2.0, 2.0])
def test_pitch_offset_moves_median_f0_by_about_that_much(heart, semitones):
    own, rate = spoken(heart, VoiceSettings())
    shifted, _ = spoken(heart, VoiceSettings(pitch_semitones=semitones))
    moved = 12 * np.log2(median_f0(shifted, rate) / median_f0(own, rate))
    assert moved == pytest.approx(semitones, abs=0.8)
    assert len(shifted) == pytest.approx(len(own), rel=0.01)  # the contour, not the timing


def test_shape_f0_scales_movement_around_the_mean_and_keeps_unvoiced():
    f0 = np.array([0.0, 100.0, 200.0, 400.0, 0.0], dtype=np.float32)
    flat = shape_f0(f0, 0.0, 1.0)
    assert flat[0] == 0 and flat[-1] == 0
    np.testing.assert_allclose(flat[1:4], [200.0] * 3, rtol=1e-5)
    np.testing.assert_allclose(shape_f0(f0, 2.0, 1.0)[1:4], [50.0, 200.0, 800.0], rtol=1e-5)
    np.testing.assert_allclose(shape_f0(f0, 1.0, 2.0)[1:4], [200.0, 400.0, 800.0], rtol=1e-5)


def test_tones_differ_in_the_documented_direction(heart):
    measured = {}
    for tone in TONES:
        audio, rate = spoken(heart, voice_settings(tone, "slow"))
        measured[tone] = (median_f0(audio, rate), f0_spread_semitones(audio, rate),
                          words_per_minute(" ".join(PARAGRAPH), len(audio) / rate))
    for tone in TONES:  # no tone shifts the pitch: all near the voice's own
        assert abs(12 * np.log2(measured[tone][0] / measured["warm"][0])) < 0.7
    spread = {t: m[1] for t, m in measured.items()}
    pace = {t: m[2] for t, m in measured.items()}
    assert spread["bright"] > spread["warm"] > spread["calm"]
    assert pace["bright"] > pace["warm"] > pace["gentle"]
    assert pace["warm"] >= pace["calm"] >= pace["gentle"]


def test_pace_presets_order_the_speaking_rate(heart):
    rates = [words_per_minute(" ".join(PARAGRAPH),
                              len(spoken(heart, voice_settings("warm", p))[0]) / 24000)
             for p in ("slow", "moderate", "brisk")]
    assert rates[0] < rates[1] < rates[2]


def test_respelling_and_phonemes_reach_the_engine(heart):
    text = "Hello, Aoife."
    plain = heart.phonemes(prepare(text))
    respelt = heart.phonemes(prepare(text, lexicon_from_pairs(["Aoife=Eefa"])))
    given = heart.phonemes(prepare(text, lexicon_from_pairs(["Aoife=/ˈifə/"])))
    assert plain != respelt and "ˈifə" in respelt
    assert given == "həlˈO, ˈifə."  # the phonemes exactly as given, nothing read out
    assert "slˈæʃ" not in given


def test_phonemes_are_refused_for_a_voice_that_would_read_them_out(tmp_path):
    renderer = Renderer(RenderContext(cache=None, lexicon=None))
    request = Request("safe-place", length="short", name="Aoife", say=("Aoife=/ˈifə/",),
                      voice="joe", output=tmp_path)
    with pytest.raises(InvalidRequest) as refused:
        renderer.check(request)
    assert refused.value.field == "say"
    renderer.check(Request(**{**request.__dict__, "voice": "heart"}))


def test_a_cached_sentence_equals_a_fresh_one_and_keys_on_the_voice(tmp_path):
    cache = SpeechCache(tmp_path / "cache")
    request = Request("safe-place", length="short", name="Sam", voice="heart", background="none",
                      format="wav", output=tmp_path / "a.wav")
    renderer = Renderer(RenderContext(cache=cache, lexicon=None))
    jobs = renderer.speech_jobs(request)
    renderer.synthesise(jobs[:3])
    fresh = open_heart()
    for job in jobs[:3]:
        np.testing.assert_array_equal(cache.get(job.key).samples,
                                      fresh.synthesize(job.text, job.settings).samples)
    joe_jobs = renderer.speech_jobs(Request(**{**request.__dict__, "voice": "joe"}))
    assert {j.key for j in jobs}.isdisjoint(j.key for j in joe_jobs)


@pytest.mark.parametrize("pace", ["slow", "moderate", "brisk"])
@pytest.mark.parametrize("tone", sorted(TONES))
def test_every_tone_and_pace_renders(tmp_path, tone, pace):
    template = tmp_path / "tiny.j2"
    template.write_text("Hello, {{ name }}; rest here.\n[pause short]\nBreathe. And again.\n",
                        encoding="utf-8")
    renderer = Renderer(RenderContext(cache=None, lexicon=None))
    result = renderer.render(Request(script=template, name="Sam", voice="heart", tone=tone,
                                     pace=pace, background="none", format="flac",
                                     output=tmp_path / "out.flac"))
    assert result.path.is_file() and 4.0 < result.seconds < 30.0
