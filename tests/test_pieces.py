"""Long sentences are spoken in pieces: where they are cut, how they are joined, and the cache."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cft_audio.pipeline import RenderContext
from cft_audio.pipeline.plan import voicing_for
from cft_audio.pipeline.speech import Speaker
from cft_audio.schema import Request
from cft_audio.script.cues import Say, Script
from cft_audio.sound import RATE
from cft_audio.sound.signal import as_pcm16, resample, resampled_length
from cft_audio.voices.cache import SpeechCache
from cft_audio.voices.engine import VoiceSettings
from cft_audio.voices.pieces import (
    CLAUSE,
    CLAUSE_JOIN,
    PIECE_CHARS,
    SENTENCE,
    SENTENCE_JOIN,
    WORD,
    Piece,
    join_seconds,
    pieces,
)
from cft_audio.voices.text import Lexicon, prepare

from .conftest import FakeEngine

NAMES = [f"{a}{b}" for a in ("oak", "elm", "yew", "ash", "fir") for b in ("en", "ow", "ly")]
CLAUSES = ", ".join(f"let the breath settle by the {n} and soften" for n in NAMES * 2) + "."
WORDS = " ".join(f"you notice the {n} and the warmth" for n in NAMES * 2) + "."
"""Long sentences whose pieces all differ (the same piece twice is spoken once)."""


def test_text_up_to_a_piece_is_one_piece_as_written():
    text = CLAUSES[:PIECE_CHARS]
    assert pieces(text) == (Piece(text),)
    assert pieces("Notice the breath, just as it is.") == (
        Piece("Notice the breath, just as it is."),)


def test_long_text_is_cut_after_clause_marks_into_even_pieces():
    parts = pieces(CLAUSES)
    assert len(parts) == -(-len(CLAUSES) // PIECE_CHARS)
    assert all(len(p.text) <= PIECE_CHARS for p in parts)
    assert all(p.cut == CLAUSE and p.text.endswith(",") for p in parts[:-1])
    assert parts[-1].cut == ""
    assert " ".join(p.text for p in parts) == CLAUSES
    assert min(len(p.text) for p in parts) > PIECE_CHARS // 2  # no stray clause at the end


def test_a_sentence_mark_is_preferred_to_a_comma():
    text = f"{CLAUSES[:200]}. And {CLAUSES[:200]}"
    first = pieces(text)[0]
    assert first.cut == SENTENCE and first.text.endswith(".")


def test_without_marks_the_cut_is_between_words():
    parts = pieces(WORDS)
    assert all(len(p.text) <= PIECE_CHARS for p in parts)
    assert [p.cut for p in parts[:-1]] == [WORD] * (len(parts) - 1)
    assert " ".join(p.text for p in parts).split() == WORDS.split()
    assert min(len(p.text) for p in parts) > PIECE_CHARS // 2


def test_a_word_longer_than_a_piece_is_cut_at_the_limit():
    text = "a" * (2 * PIECE_CHARS + 100)
    parts = pieces(text)
    assert [len(p.text) for p in parts] == [PIECE_CHARS, PIECE_CHARS, 100]
    assert "".join(p.text for p in parts) == text


def test_the_join_is_the_pause_the_cut_stands_for():
    settings = VoiceSettings(clause_pause=0.3, settle=0.5)
    assert join_seconds(Piece("a,", CLAUSE), settings) == pytest.approx(CLAUSE_JOIN + 0.3)
    assert join_seconds(Piece("a.", SENTENCE), settings) == pytest.approx(SENTENCE_JOIN + 0.5)
    assert join_seconds(Piece("a", WORD), settings) == 0.0


class RecordingEngine(FakeEngine):
    """The fake voice, keeping every text it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def synthesize(self, text, settings):
        self.texts.append(text)
        return super().synthesize(text, settings)


def speak(engine, sentence: str, cache: SpeechCache | None = None) -> tuple[np.ndarray, object]:
    """One sentence through a new Speaker: its audio at the working rate, and the voicing."""
    voicing = voicing_for(Request(script="x.j2"), Lexicon())
    voicing = replace(voicing, settings=replace(voicing.settings, clause_pause=0.2))
    speaker = Speaker(RenderContext(open_engine=lambda profile: engine, cache=cache),
                      {voicing.voice: None})
    script = Script("custom", "t", "standard", (Say(sentence),), sentence)
    return speaker.speak(script, voicing, lambda stage, done: None)[0], voicing


def working(engine: FakeEngine, text: str, settings: VoiceSettings) -> np.ndarray:
    clip = FakeEngine.synthesize(engine, text, settings)
    return as_pcm16(resample(clip.samples, clip.sample_rate, RATE))


@pytest.mark.parametrize("sentence", [CLAUSES, WORDS])
def test_a_long_sentence_is_spoken_in_pieces_joined_by_their_pauses(sentence):
    engine = RecordingEngine()
    audio, voicing = speak(engine, sentence, cache=None)
    parts = pieces(prepare(sentence))
    assert engine.texts == [p.text for p in parts]
    expected = []
    for piece in parts:
        expected.append(working(engine, piece.text, voicing.settings))
        expected.append(np.zeros(round(join_seconds(piece, voicing.settings) * RATE), np.int16))
    np.testing.assert_array_equal(audio, np.concatenate(expected))


def test_a_sentence_under_a_piece_is_spoken_whole_as_before():
    engine = RecordingEngine()
    sentence = "Let yourself settle, there is no hurry."
    audio, voicing = speak(engine, sentence)
    assert engine.texts == [sentence]
    np.testing.assert_array_equal(audio, working(engine, sentence, voicing.settings))


def test_pieces_are_cached_and_the_same_sentence_is_the_same_audio(tmp_path):
    first = RecordingEngine()
    audio, _ = speak(first, CLAUSES, SpeechCache(tmp_path / "cache"))
    assert len(first.texts) == len(pieces(CLAUSES)) > 1
    again = RecordingEngine()  # another process, in effect
    cached, _ = speak(again, CLAUSES, SpeechCache(tmp_path / "cache"))
    assert again.texts == []
    np.testing.assert_array_equal(cached, audio)
    np.testing.assert_array_equal(cached, speak(RecordingEngine(), CLAUSES)[0])  # uncached


@pytest.mark.parametrize(("rate", "count"), [(22050, 1), (22050, 12345), (16000, 999),
                                             (24000, 4800), (44100, 77)])
def test_resampled_length_is_what_resampling_makes(rate, count):
    assert resampled_length(count, rate, RATE) == len(resample(np.zeros(count), rate, RATE))


def test_speech_jobs_ahead_are_the_pieces(tmp_path):
    engine = RecordingEngine()
    voicing = voicing_for(Request(script="x.j2"), Lexicon())
    speaker = Speaker(RenderContext(open_engine=lambda profile: engine,
                                    cache=SpeechCache(tmp_path / "cache")), {voicing.voice: None})
    script = Script("custom", "t", "standard", (Say(WORDS), Say("Rest.")), WORDS)
    jobs = speaker.jobs(script, voicing)
    assert [job.text for job in jobs] == [p.text for p in pieces(WORDS)] + ["Rest."]
    assert speaker.synthesise(jobs) == len(jobs)
    speaker.speak(script, voicing, lambda stage, done: None)
    assert len(engine.texts) == len(jobs)  # the render found every piece in the cache
