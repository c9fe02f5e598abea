"""The analyse command's measurements: chunked decode, record figures, readable summary."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cft_audio.analyse import analyse_file, describe
from cft_audio.errors import InvalidRequest
from cft_audio.export.encode import encode_stream, iter_blocks
from cft_audio.export.sidecars import render_record
from cft_audio.export.tags import TrackInfo
from cft_audio.ffmpeg import decode
from cft_audio.sound.analysis import (
    SegmentEnergies,
    integrated_from_segments,
    integrated_loudness,
    loudness_range,
    peak_envelope,
    true_peak_db,
)

RATE = 44100


def steps(seconds_each: float = 12.0) -> np.ndarray:
    """Noise at three levels, 10 dB apart (stereo)."""
    rng = np.random.default_rng(3)
    frames = int(seconds_each * RATE)
    parts = [rng.standard_normal((frames, 2)) * 0.1 * 10 ** (-k / 2) for k in range(3)]
    return np.concatenate(parts).astype(np.float32)


def at_lufs(noise: np.ndarray, lufs: float) -> np.ndarray:
    """Scale a signal to an integrated loudness."""
    return noise * np.float32(10 ** ((lufs - integrated_loudness(noise, RATE)) / 20))


def oversampled_everywhere(audio: np.ndarray) -> np.ndarray:
    """The 4x true-peak envelope worked out at every sample of the whole signal (reference)."""
    from cft_audio.sound.analysis import _interpolation_phases

    out = np.abs(audio).max(axis=1)
    for channel in range(audio.shape[1]):
        for phase in _interpolation_phases()[1:]:
            out = np.maximum(out, np.abs(np.convolve(audio[:, channel], phase, mode="same")))
    return out


@pytest.mark.parametrize("floor", [None, 0.5, 0.9, 0.05])
def test_true_peak_envelope_is_exact_wherever_it_comes_near_the_floor(floor):
    rng = np.random.default_rng(11)
    frames = 3 * RATE + 77  # not a whole number of runs
    bursts = (rng.random(frames // 300 + 1) < 0.2).repeat(300)[:frames]
    audio = (rng.standard_normal((frames, 2)) * 0.25 * (0.05 + bursts[:, None])).astype(
        np.float32)
    audio[-1] = audio[0] = 0.99  # loud edges: the context there is silence
    envelope, reference = peak_envelope(audio, RATE, floor=floor), oversampled_everywhere(audio)
    limit = reference.max() if floor is None else floor
    near = reference >= limit
    assert near.any()
    np.testing.assert_allclose(envelope[near], reference[near], rtol=1e-6)
    assert np.all(envelope <= reference + 1e-6)  # elsewhere at least the sample peak
    assert np.all(envelope >= np.abs(audio).max(axis=1))


def test_loudness_range_of_a_ten_lu_step():
    rng = np.random.default_rng(5)
    noise = (rng.standard_normal((30 * RATE, 2)) * 0.1).astype(np.float32)
    audio = np.concatenate([at_lufs(noise, -20.0), at_lufs(noise[::-1].copy(), -30.0)])
    assert loudness_range(audio, RATE) == pytest.approx(10.0, abs=0.3)
    assert loudness_range(at_lufs(noise, -23.0), RATE) < 0.5
    assert loudness_range(audio[: 2 * RATE], RATE) == 0.0  # shorter than one 3 s window
    assert loudness_range(np.zeros((10 * RATE, 2), np.float32), RATE) == 0.0


def test_loudness_range_ignores_silence_below_the_gates():
    rng = np.random.default_rng(6)
    speech = at_lufs((rng.standard_normal((20 * RATE, 2)) * 0.1).astype(np.float32), -18.0)
    with_gap = np.concatenate([speech, np.zeros((20 * RATE, 2), np.float32), speech])
    assert loudness_range(with_gap, RATE) < 1.0


def test_segments_fed_in_any_blocks_give_integrated_loudness():
    audio = steps(5.0)
    segments = SegmentEnergies(RATE, 2)
    position, sizes = 0, [1, 999, 0, 4410, 77_777, 12_345]
    for step in range(len(audio)):
        size = sizes[step % len(sizes)]
        segments.add(audio[position : position + size])
        position += size
        if position >= len(audio):
            break
    assert integrated_from_segments(segments.energies, segments.segment) == pytest.approx(
        integrated_loudness(audio, RATE), abs=1e-6)


@pytest.fixture(scope="module")
def track(tmp_path_factory):
    """A 36 s FLAC: long enough to be decoded in several chunks."""
    folder = tmp_path_factory.mktemp("analyse")
    return encode_stream(iter_blocks(steps()), RATE, folder / "steps.flac", "flac",
                         TrackInfo("Steps"))


def test_measures_match_whole_signal_functions(track):
    analysis = analyse_file(track)
    audio = decode(track)
    assert analysis.duration == pytest.approx(36.0, abs=1e-3)
    assert (analysis.channels, analysis.sample_rate) == (2, RATE)
    assert analysis.integrated_loudness == pytest.approx(integrated_loudness(audio, RATE),
                                                         abs=0.01)
    assert analysis.true_peak == pytest.approx(true_peak_db(audio, RATE), abs=0.01)
    assert analysis.loudness_range == pytest.approx(loudness_range(audio, RATE), abs=0.01)
    assert analysis.loudness_range == pytest.approx(20.0, abs=1.5)
    assert analysis.target_loudness is None and analysis.record is None


def test_record_beside_the_file_adds_target_and_ratio(track):
    record = track.with_suffix(".json")
    record.write_text(render_record(target_loudness=-16.0, speech_to_background=22.3))
    try:
        analysis = analyse_file(track)
        text = describe(analysis)
    finally:
        record.unlink()
    assert analysis.target_loudness == -16.0 and analysis.speech_to_background == 22.3
    lines = text.splitlines()
    assert lines[0].startswith("file") and "steps.flac" in lines[0]
    assert any(line.startswith("integrated loudness") and line.endswith("LUFS (target -16)")
               for line in lines)
    assert any(line.startswith("speech over background") and line.endswith("22.3 dB")
               for line in lines)


def test_record_without_background(track):
    record = track.with_suffix(".json")
    record.write_text(render_record(speech_to_background=float("inf")))
    try:
        analysis = analyse_file(track)
    finally:
        record.unlink()
    assert analysis.speech_to_background == float("inf")
    assert "speech over background  no background" in describe(analysis)


def test_record_for_other_content_is_not_trusted(track):
    record = track.with_suffix(".json")
    record.write_text(json.dumps({"output_sha256": "0" * 64, "target_loudness": -16.0}))
    try:
        analysis = analyse_file(track)
    finally:
        record.unlink()
    assert analysis.target_loudness is None and not analysis.record_matches
    assert "different file" in describe(analysis)


def test_values_are_aligned(track):
    lines = describe(analyse_file(track)).splitlines()
    labels = ["file", "length", "channels", "integrated loudness", "true peak", "loudness range"]
    assert [line[: len(label)] for line, label in zip(lines, labels, strict=True)] == labels
    column = len("integrated loudness") + 2
    assert all(line[column - 1] == " " and line[column] != " " for line in lines)


@pytest.mark.parametrize("content", [b"", b"this is not audio at all" * 100])
def test_unreadable_file_is_a_usage_error(tmp_path, content):
    path = tmp_path / "notes.mp3"
    path.write_bytes(content)
    with pytest.raises(InvalidRequest) as caught:
        analyse_file(path)
    assert caught.value.field == "file" and caught.value.allowed == "an audio file ffmpeg can read"
    with pytest.raises(InvalidRequest, match="file"):
        analyse_file(tmp_path / "missing.wav")


def test_lossy_mono_file(tmp_path):
    mono = steps(4.0)[:, :1]
    path = encode_stream([mono], RATE, tmp_path / "m.opus", "opus", TrackInfo("M"), channels=1)
    analysis = analyse_file(path)
    assert (analysis.channels, analysis.sample_rate) == (1, 48000)
    assert analysis.duration == pytest.approx(12.0, abs=0.03)
    assert "mono, 48000 Hz" in describe(analysis)
