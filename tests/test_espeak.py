"""The eSpeak NG engine: real synthesis, settings mapped to audible changes, voices, phonemes."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio.errors import EngineError
from cft_audio.voices.engine import (
    EXPRESSIVENESS,
    PEAK_CEILING,
    PITCH,
    SPEED,
    SpeechClip,
    VoiceSettings,
)

pytest.importorskip("espeakng_loader")

from cft_audio.voices.espeak import (  # noqa: E402 - after the skip
    EspeakEngine,
    available_variants,
    available_voices,
    pitch_and_range,
    rate_wpm,
)

SENTENCE = "Breathe in slowly, and let your shoulders soften, just for a moment."
VOICES = [("en-gb", "f3"), ("en-gb", None)]


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    """The profile's voice: British English, variant f3."""
    voice = EspeakEngine("en-gb", "f3")
    voice.load()
    return voice


def speak(engine: EspeakEngine, **settings: float) -> SpeechClip:
    """Synthesise the test sentence with some settings changed."""
    return engine.synthesize(SENTENCE, VoiceSettings(**settings))


def f0_track(samples: np.ndarray, rate: int, fmin: float = 45.0, fmax: float = 700.0) -> np.ndarray:
    """F0 (Hz) of the voiced 60 ms frames, by normalised autocorrelation, hop 10 ms."""
    size, hop = int(0.06 * rate), int(0.01 * rate)
    starts = np.arange(0, len(samples) - size, hop)
    frames = np.stack([samples[s : s + size] for s in starts]).astype(np.float64)
    frames -= frames.mean(axis=1, keepdims=True)
    loud = np.sqrt(np.mean(frames**2, axis=1))
    frames = frames[loud > 0.1 * loud.max()]
    spectrum = np.fft.rfft(frames, 2 * size, axis=1)
    autocorrelation = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :size]
    autocorrelation /= autocorrelation[:, :1] + 1e-12
    low, high = int(rate / fmax), int(rate / fmin)
    lags = low + np.argmax(autocorrelation[:, low:high], axis=1)
    voiced = autocorrelation[np.arange(len(lags)), lags] > 0.45
    return rate / lags[voiced]


def median_f0(clip: SpeechClip) -> float:
    """Median F0 of a clip."""
    return float(np.median(f0_track(clip.samples, clip.sample_rate)))


def f0_spread_semitones(clip: SpeechClip) -> float:
    """Spread of F0 between its 10th and 90th percentiles, in semitones."""
    p10, p90 = np.percentile(f0_track(clip.samples, clip.sample_rate), [10, 90])
    return float(12 * np.log2(p90 / p10))


def sound_edges(clip: SpeechClip, threshold_db: float = -40.0) -> tuple[float, float]:
    """Seconds from the start to the first, and from the last to the end, of loud 5 ms frames."""
    frame = clip.sample_rate // 200
    count = len(clip.samples) // frame
    blocks = clip.samples[: count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(blocks**2, axis=1))
    loud = np.flatnonzero(rms > rms.max() * 10 ** (threshold_db / 20))
    return loud[0] * frame / clip.sample_rate, (count - 1 - loud[-1]) * frame / clip.sample_rate


def test_speaks_trimmed_audio_under_the_peak_ceiling(engine: EspeakEngine) -> None:
    clip = speak(engine)
    assert clip.sample_rate == 22050
    assert clip.samples.dtype == np.float32
    assert 2.0 < clip.seconds < 8.0
    assert 0.05 < float(np.max(np.abs(clip.samples))) <= PEAK_CEILING
    lead, tail = sound_edges(clip)
    assert lead <= 0.03 and tail <= 0.03


@pytest.mark.parametrize(("faster", "slower"), [(1.0, 1.4), (0.8, 1.0), (1.0, 2.0)])
def test_larger_length_scale_speaks_longer(
    engine: EspeakEngine, faster: float, slower: float
) -> None:
    ratio = speak(engine, length_scale=slower).seconds / speak(engine, length_scale=faster).seconds
    assert ratio > 1 + 0.6 * (slower / faster - 1)


@pytest.mark.parametrize(("voice", "variant"), VOICES)
@pytest.mark.parametrize("semitones", [-4.0, -2.0, 2.0, 4.0])
def test_pitch_shift_moves_median_f0_by_about_as_many_semitones(
    voice: str, variant: str | None, semitones: float
) -> None:
    engine = EspeakEngine(voice, variant)
    base = median_f0(speak(engine))
    shifted = median_f0(speak(engine, pitch_semitones=semitones))
    measured = 12 * np.log2(shifted / base)
    assert np.sign(measured) == np.sign(semitones)
    assert abs(measured - semitones) < 1.0, f"{semitones:+} st measured {measured:+.2f}"


@pytest.mark.parametrize(("voice", "variant"), VOICES)
def test_expressiveness_widens_the_pitch_contour(voice: str, variant: str | None) -> None:
    engine = EspeakEngine(voice, variant)
    spreads = [f0_spread_semitones(speak(engine, expressiveness=e)) for e in (0.0, 0.5, 0.9)]
    assert spreads[0] + 1.0 < spreads[1] < spreads[2] - 1.0
    medians = [median_f0(speak(engine, expressiveness=e)) for e in (0.0, 0.5, 0.9)]
    assert np.ptp(12 * np.log2(medians)) < 2.5  # the base moves against the widening


def test_same_call_gives_identical_samples_whatever_came_before(engine: EspeakEngine) -> None:
    first = speak(engine, seed=3)
    EspeakEngine("en-us").synthesize("Something else entirely, to move eSpeak on.", VoiceSettings())
    speak(engine, pitch_semitones=2.0, expressiveness=0.9)
    again = speak(engine, seed=3)
    assert np.array_equal(first.samples, again.samples)


def test_seed_only_varies_the_breath_noise(engine: EspeakEngine) -> None:
    one, other = speak(engine, seed=1), speak(engine, seed=2)
    assert len(one.samples) == len(other.samples)
    assert not np.array_equal(one.samples, other.samples)
    assert np.corrcoef(one.samples, other.samples)[0, 1] > 0.9


@pytest.mark.parametrize("text", ["", "   "])
def test_no_audio_is_an_engine_error(engine: EspeakEngine, text: str) -> None:
    with pytest.raises(EngineError, match="no audio"):
        engine.synthesize(text, VoiceSettings())


@pytest.mark.parametrize(
    ("one", "other"), [("Siobhan", "Sophie"), ("Niamh", "Neve"), ("read", "red")]
)
def test_phonemes_tell_words_apart(engine: EspeakEngine, one: str, other: str) -> None:
    first, second = engine.phonemes(one), engine.phonemes(other)
    assert first and second and first != second
    assert engine.phonemes(one) == first


def test_phonemes_are_ipa_clauses_joined_by_spaces(engine: EspeakEngine) -> None:
    phonemes = engine.phonemes("Hello there. You are safe")
    assert "ˈ" in phonemes and "\n" not in phonemes
    assert phonemes.count(" ") >= 3


@pytest.mark.parametrize(
    ("voice", "variant", "named"),
    [("xx-yy", None, "'xx-yy'"), ("klingon", "f3", "'klingon'"), ("en-gb", "nosuch", "'nosuch'")],
)
def test_unknown_voice_or_variant_is_a_one_line_engine_error(
    voice: str, variant: str | None, named: str
) -> None:
    with pytest.raises(EngineError) as caught:
        EspeakEngine(voice, variant).load()
    message = str(caught.value)
    assert named in message and "examples:" in message and "\n" not in message
    with pytest.raises(EngineError):
        EspeakEngine(voice, variant).synthesize("Hello.", VoiceSettings())


def test_voice_lists_name_common_voices_and_variants() -> None:
    voices, variants = available_voices(), available_variants()
    assert {"en-gb", "en-us", "de", "fr-fr"} <= set(voices)
    assert {"f3", "m3"} <= set(variants)


def test_identity_and_capabilities_need_no_loading() -> None:
    engine = EspeakEngine("EN-GB", "f3")
    assert engine.name == "espeak"
    assert engine.identity() == EspeakEngine("en-gb", "f3").identity()
    assert engine.identity() != EspeakEngine("en-gb").identity()
    assert engine.identity().startswith("espeak:")
    assert engine.capabilities() == frozenset({SPEED, PITCH, EXPRESSIVENESS})


@pytest.mark.parametrize(
    ("length_scale", "wpm"), [(1.0, 175), (1.25, 140), (0.5, 350), (3.0, 80), (0.2, 450)]
)
def test_rate_follows_length_scale_within_espeak_range(length_scale: float, wpm: int) -> None:
    assert rate_wpm(length_scale) == wpm


def test_non_positive_length_scale_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="length_scale"):
        rate_wpm(0.0)


@pytest.mark.parametrize(
    ("semitones", "expressiveness", "pitch", "spread"),
    [
        (0.0, 0.5, 50, 50),  # the voice as it is
        (0.0, 0.0, 61, 10),  # narrow contour, base raised to keep the median
        (0.0, 1.0, 37, 90),  # wide contour, base lowered to keep the median
        (4.0, 0.5, 71, 63),  # transposed: base and contour both scaled
        (-4.0, 0.5, 27, 40),
        (24.0, 0.5, 100, 100),  # beyond eSpeak's reach: clamped
        (-24.0, 0.5, 0, 12),
    ],
)
def test_pitch_and_range_parameters(
    semitones: float, expressiveness: float, pitch: int, spread: int
) -> None:
    assert pitch_and_range(semitones, expressiveness) == (pitch, spread)
