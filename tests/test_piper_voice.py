"""The real Piper voice: reproducible speech, tones in their documented direction, names."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio.resources import voices_dir
from cft_audio.voices.engine import (
    PEAK_CEILING,
    TRIM_LEAD,
    TRIM_TAIL,
    TRIM_THRESHOLD_DB,
    VoiceSettings,
)
from cft_audio.voices.measure import median_f0, pitch_track, words_per_minute
from cft_audio.voices.piper import PiperEngine
from cft_audio.voices.presets import TONES, voice_settings
from cft_audio.voices.profiles import load_profiles, open_engine, resolve_reference
from cft_audio.voices.text import lexicon_from_pairs, prepare

from .signals import silent_runs

pytestmark = pytest.mark.e2e
PARAGRAPH = (
    "Let yourself settle into a comfortable position.",
    "Notice the gentle rhythm of your breathing as it slows a little.",
    "There is nothing you need to do right now.",
)


@pytest.fixture(scope="module")
def joe():
    """The bundled Piper voice, loaded once for this module."""
    engine = open_engine(load_profiles([voices_dir()])["joe"])
    engine.load()
    return engine


def spoken(engine, settings):
    clips = [engine.synthesize(text, settings) for text in PARAGRAPH]
    return np.concatenate([c.samples for c in clips]), clips[0].sample_rate


def test_same_sentence_same_settings_is_the_same_audio(joe):
    settings = voice_settings("warm", "slow")
    first = joe.synthesize(PARAGRAPH[0], settings)
    joe.synthesize(PARAGRAPH[1], settings)  # other work in between changes nothing
    fresh = open_engine(load_profiles([voices_dir()])["joe"])
    np.testing.assert_array_equal(first.samples, joe.synthesize(PARAGRAPH[0], settings).samples)
    np.testing.assert_array_equal(first.samples, fresh.synthesize(PARAGRAPH[0], settings).samples)


def test_one_thread_says_exactly_what_every_core_says(joe):
    one = open_engine(load_profiles([voices_dir()])["joe"], threads=1)
    one.load()
    assert one._graph.text.get_session_options().intra_op_num_threads == 1
    settings = voice_settings("calm", "slow")
    for text in PARAGRAPH:
        np.testing.assert_array_equal(one.synthesize(text, settings).samples,
                                      joe.synthesize(text, settings).samples)


def test_seed_changes_the_performance_not_the_words(joe):
    a = joe.synthesize(PARAGRAPH[0], VoiceSettings(seed=1))
    b = joe.synthesize(PARAGRAPH[0], VoiceSettings(seed=2))
    assert not np.array_equal(a.samples, b.samples)
    assert abs(a.seconds - b.seconds) < 0.25 * a.seconds


@pytest.mark.parametrize("pitch", [0.0, -1.0])
def test_clause_pauses_are_added_where_the_commas_are(joe, pitch):
    text = "Let it be, just as it is; and rest."
    plain = joe.synthesize(text, VoiceSettings(length_scale=1.2, pitch_semitones=pitch))
    paused = joe.synthesize(text, VoiceSettings(length_scale=1.2, pitch_semitones=pitch,
                                                clause_pause=0.4))
    assert paused.seconds - plain.seconds == pytest.approx(0.8, abs=0.01)
    runs = silent_runs(paused.samples, paused.sample_rate, 0.35)
    assert len(runs) == 2  # one after "be," and one after "is;"; none after "rest."
    assert 0.4 < runs[0] < runs[1] < paused.seconds - 0.6
    head = int(0.8 * runs[0] * paused.sample_rate)  # before the first pause: the same speech
    np.testing.assert_array_equal(paused.samples[:head], plain.samples[:head])


def test_clip_is_trimmed_and_unclipped(joe):
    clip = joe.synthesize(PARAGRAPH[1], voice_settings("bright", "brisk"))
    rate = clip.sample_rate
    peak = np.max(np.abs(clip.samples))
    assert peak <= PEAK_CEILING
    lead, tail = int((TRIM_LEAD + 0.02) * rate), int((TRIM_TAIL + 0.02) * rate)
    audible = peak * 10 ** (TRIM_THRESHOLD_DB / 20)
    assert np.max(np.abs(clip.samples[:lead])) > audible  # speech within the lead kept
    assert np.max(np.abs(clip.samples[-tail:])) > audible  # ... and within the decay kept
    assert np.max(np.abs(clip.samples[: int(0.002 * rate)])) < 0.5 * peak  # faded: no click
    untrimmed = joe.speak(PARAGRAPH[1], voice_settings("bright", "brisk"))
    assert len(clip.samples) < len(untrimmed)


@pytest.mark.parametrize("semitones", [-3.0, 3.0])
def test_pitch_shift_moves_median_f0_by_about_that_much(joe, semitones):
    own, rate = spoken(joe, VoiceSettings())
    shifted, _ = spoken(joe, VoiceSettings(pitch_semitones=semitones))
    moved = 12 * np.log2(median_f0(shifted, rate) / median_f0(own, rate))
    assert moved == pytest.approx(semitones, abs=0.8)


def test_tones_differ_in_the_documented_direction(joe):
    measured = {}
    for tone in TONES:
        audio, rate = spoken(joe, voice_settings(tone, "slow"))
        measured[tone] = (median_f0(audio, rate),
                          words_per_minute(" ".join(PARAGRAPH), len(audio) / rate))
    f0 = {t: m[0] for t, m in measured.items()}
    pace = {t: m[1] for t, m in measured.items()}
    for tone in TONES:  # no tone shifts the pitch (issue 18): all near the voice's own
        assert abs(12 * np.log2(f0[tone] / f0["warm"])) < 0.7
    assert pace["bright"] > pace["warm"] > pace["calm"] > pace["gentle"]


def test_pace_presets_order_the_speaking_rate(joe):
    rates = [words_per_minute(" ".join(PARAGRAPH), len(spoken(joe, voice_settings("warm", p))[0])
                              / joe.sample_rate) for p in ("slow", "moderate", "brisk")]
    assert rates[0] < rates[1] < rates[2]


@pytest.mark.parametrize(
    ("name", "respelling"),
    [("Siobhán", "Shuh-vawn"), ("Aoife", "Ee-fa"), ("Nguyen", "Win")],
)
def test_lexicon_changes_how_a_name_is_said(joe, name, respelling):
    lexicon = lexicon_from_pairs([f"{name}={respelling}"])
    text = f"Hello, {name}."
    plain, changed = joe.phonemes(prepare(text)), joe.phonemes(prepare(text, lexicon))
    assert plain != changed
    assert changed == joe.phonemes(f"Hello, {respelling}.")
    settings = voice_settings("warm", "slow")
    assert not np.array_equal(joe.synthesize(prepare(text), settings).samples,
                              joe.synthesize(prepare(text, lexicon), settings).samples)


def test_pitch_tracker_finds_a_known_tone():
    rate = 22050
    t = np.arange(rate) / rate
    tone = 0.3 * np.sign(np.sin(2 * np.pi * 110 * t)) * np.hanning(rate)  # rich, like a voice
    assert np.median(pitch_track(tone, rate)) == pytest.approx(110, rel=0.01)


def test_prepared_graph_is_kept_and_a_damaged_one_is_replaced(tmp_path):
    profile = load_profiles([voices_dir()])["joe"]
    settings = voice_settings("warm", "slow")
    first = PiperEngine(resolve_reference(profile.model, profile.source.parent),
                        prepared_folder=tmp_path)
    expected = first.synthesize(PARAGRAPH[2], settings).samples
    prepared = next(tmp_path.glob("*-seeded-v3-1of2.onnx"))
    prepared.write_bytes(prepared.read_bytes()[:1000])  # damaged on disk
    again = PiperEngine(first.model_path, prepared_folder=tmp_path)
    np.testing.assert_array_equal(again.synthesize(PARAGRAPH[2], settings).samples, expected)


def test_decoding_in_pieces_equals_decoding_the_whole_sentence(joe):
    from cft_audio.voices.piper_graph import DECODE_FRAMES, SeededGraph, open_session, seeded_model

    joe.load()
    cut = joe._graph
    assert cut.decoder is not None  # the bundled voice is cut at its decoder
    whole = SeededGraph(open_session(seeded_model(joe.model_path).SerializeToString()),
                        None, cut.noise_inputs, timed=True)
    long_sentence = ("Let yourself settle into a comfortable position, noticing the gentle "
                     "rhythm of your breathing as it slows a little, with nothing you need "
                     "to do right now, and nowhere at all you need to be.")  # one sentence
    settings = voice_settings("gentle", "slow")
    pieces = joe.synthesize(long_sentence, settings).samples
    try:
        joe._graph = whole
        reference = joe.synthesize(long_sentence, settings).samples
    finally:
        joe._graph = cut
    assert len(pieces) > 4 * DECODE_FRAMES * 256  # decoded in five pieces or more
    np.testing.assert_allclose(pieces, reference, atol=1e-5)


def test_a_long_sentence_renders_in_pieces_with_the_real_voice(tmp_path):
    from cft_audio import Renderer, Request
    from cft_audio.pipeline import RenderContext
    from cft_audio.script.cues import Say
    from cft_audio.voices.cache import SpeechCache
    from cft_audio.voices.pieces import PIECE_CHARS, pieces

    clauses = ["let the breath settle by itself", "notice the weight of your hands",
               "feel the ground holding you up", "let the shoulders soften and drop",
               "hear the small sounds around you", "there is nothing you need to do"]
    sentence = ", ".join(clauses * 3) + "."
    assert PIECE_CHARS < len(sentence) < 2 * PIECE_CHARS
    template = tmp_path / "long.j2"
    template.write_text(sentence + "\n", encoding="utf-8")
    renderer = Renderer(RenderContext(cache=SpeechCache(tmp_path / "cache"), keep_voices=False))
    result = renderer.render(Request(script=template, background="none", format="wav",
                                     output=tmp_path / "long.wav"))
    assert result.synthesised == len(pieces(prepare(sentence))) > 1
    said = next(t for t in result.cues if isinstance(t.cue, Say))
    assert 80 < words_per_minute(sentence, said.end - said.start) < 200
    assert result.path.stat().st_size > 44_100 * 2 * 2 * (said.end - said.start)
