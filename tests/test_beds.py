"""Background beds: seeded, stereo, calibrated, no DC, smooth, streamed, true to their kind."""

from __future__ import annotations

import tracemalloc
import wave
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import butter, sosfilt, welch

from cft_audio.errors import InvalidRequest
from cft_audio.sound import beds
from cft_audio.sound.beds import BED_RMS, BEDS, BLOCK, Bowls, FileBed, bed_for, render

from .signals import band_share, level_db, rms, window_levels, worst_jump, worst_jump_near

RATE = 44100
SECONDS = 20
SOUNDING = [name for name in BEDS if name != "none"]
EXPECTED_IDS = ["rain", "ocean", "stream", "wind", "brown-noise", "warm-drone", "bowls", "none"]


@pytest.fixture(scope="module")
def rendered():
    """Twenty seconds of every bed, seed 7, no marks."""
    return {name: BEDS[name].render(SECONDS * RATE, RATE, 7) for name in BEDS}


def test_bed_ids():
    assert list(BEDS) == EXPECTED_IDS


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_level_shape_and_dc(rendered, name):
    audio = rendered[name]
    assert audio.shape == (SECONDS * RATE, 2) and audio.dtype == np.float32
    assert abs(level_db(audio, BED_RMS)) < 1.0
    assert np.abs(audio.mean(axis=0)).max() < 0.01 * BED_RMS
    assert not np.allclose(audio[:, 0], audio[:, 1])  # real stereo


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_level_over_three_second_windows(rendered, name):
    levels = window_levels(rendered[name], 3 * RATE)
    assert abs(20 * np.log10(levels.mean() / BED_RMS)) < 1.0


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_level_does_not_depend_on_track_length(rendered, name):
    short = BEDS[name].render(3 * RATE, RATE, 7)
    assert np.array_equal(short, rendered[name][: 3 * RATE])


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_is_seeded(name):
    once, again = (BEDS[name].render(2 * RATE, RATE, 7, (0.5,)) for _ in range(2))
    other = BEDS[name].render(2 * RATE, RATE, 8, (0.5,))
    assert np.array_equal(once, again)
    assert not np.array_equal(once, other)


@pytest.mark.parametrize("name", list(BEDS))
def test_blocks_do_not_depend_on_block_size(name):
    frames, marks = BLOCK + 12345, (0.5, 1.2)
    whole = render(BEDS[name], frames, RATE, 3, marks)
    for block in (1000, 77777, 10 * frames):
        pieces = list(BEDS[name].blocks(frames, RATE, 3, marks, block=block))
        assert all(len(p) == block for p in pieces[:-1]) and 0 < len(pieces[-1]) <= block
        assert all(p.dtype == np.float32 and p.shape[1] == 2 for p in pieces)
        assert np.array_equal(np.concatenate(pieces), whole)
    tiny = list(BEDS[name].blocks(300, RATE, 3, marks, block=1))
    assert len(tiny) == 300 and np.array_equal(np.concatenate(tiny), whole[:300])
    assert list(BEDS[name].blocks(0, RATE, 3)) == []


@pytest.mark.parametrize("name", SOUNDING)
def test_bed_has_no_clicks(rendered, name):
    assert worst_jump(rendered[name]) < 7.0


@pytest.mark.parametrize("name", SOUNDING)
def test_memory_does_not_grow_with_length(name):
    bed = BEDS[name]
    bed.render(RATE, RATE, 1)  # the level calibration is cached once per bed and rate

    def peak(seconds: int) -> int:
        tracemalloc.start()
        for _ in bed.blocks(seconds * RATE, RATE, 3, marks=(1.0,)):
            pass
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    short, long = peak(4), peak(16)  # 3 and 11 internal chunks
    assert long < short + 1_000_000  # a longer bed holds no more (a chunk of stereo is 1 MB)
    assert long < 16_000_000  # a few chunks' working space (measured 5-12 MB)


def test_none_is_silent(rendered):
    assert not rendered["none"].any()


def test_brown_noise_and_ocean_are_low(rendered):
    assert band_share(rendered["brown-noise"], RATE, 0, 500) > 0.9  # measured 0.93
    assert band_share(rendered["ocean"], RATE, 0, 500) > 0.6  # measured 0.69
    assert band_share(rendered["ocean"], RATE, 2000, RATE / 2) < 0.05  # measured 0.01


def test_rain_and_stream_are_bright(rendered):
    assert band_share(rendered["rain"], RATE, 2000, RATE / 2) > 0.6  # measured 0.74
    assert band_share(rendered["stream"], RATE, 2000, RATE / 2) > 0.6  # measured 0.70


def test_ocean_swells(rendered):
    levels = window_levels(rendered["ocean"], RATE // 2)
    assert levels.max() / levels.min() > 2.0  # waves come and go (measured 2.6)


def test_rain_has_gentle_droplets(rendered):
    # 5 ms levels in the 2-5 kHz band: plain hiss never stands 5 dB above its median there.
    assert _standouts(rendered["rain"], 5.0) / SECONDS > 0.8  # measured 1.65 per second


def test_stream_ripples_fast(rendered):
    # The spread of 20 ms levels: a babbling stream against the steady hiss of rain.
    stream = np.std(20 * np.log10(window_levels(rendered["stream"], RATE // 50)))
    rain = np.std(20 * np.log10(window_levels(rendered["rain"], RATE // 50)))
    assert stream > 1.5 and stream > 2 * rain  # measured 2.17 and 0.79 dB


def test_wind_is_low_and_gusts(rendered):
    assert band_share(rendered["wind"], RATE, 0, 1000) > 0.8  # measured 0.88
    levels = window_levels(rendered["wind"], RATE)
    assert levels.max() / levels.min() > 2.0  # gusts in 1 s levels (measured 3.25)


def test_warm_drone_peaks_at_its_chord(rendered):
    frequencies, power = _spectrum(rendered["warm-drone"], 1 << 15)
    floor = np.median(power[(frequencies > 80) & (frequencies < 400)])
    for f in BEDS["warm-drone"].frequencies:
        k = int(np.argmin(np.abs(frequencies - f)))
        assert power[k - 1 : k + 2].max() > 1000 * floor  # measured 2e7 or more


def test_bowls_strike_at_each_mark():
    marks = (3.0, 11.0)
    audio = BEDS["bowls"].render(SECONDS * RATE, RATE, 7, marks)
    for mark in marks:  # the 2 s after each mark against the 2 s before (measured 1.8, 2.2)
        at = int(mark * RATE)
        assert rms(audio[at : at + 2 * RATE]) > 1.5 * rms(audio[at - 2 * RATE : at])
    assert worst_jump_near(audio, list(marks), RATE) < 5.0  # smooth strikes (measured 3.1)
    hum = BEDS["bowls"].render(3 * RATE, RATE, 7)
    assert np.array_equal(audio[: 3 * RATE], hum)  # marks never change the calibrated level


def test_bowls_hum_at_the_fundamental(rendered):
    frequencies, power = _spectrum(rendered["bowls"], 1 << 15)
    k = int(np.argmin(np.abs(frequencies - Bowls().fundamental)))
    assert power[k - 1 : k + 2].max() > 1000 * np.median(power[(frequencies > 80)
                                                             & (frequencies < 400)])


def _spectrum(audio: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectrum of the mono sum."""
    return welch(audio.astype(np.float64).mean(axis=1), RATE, nperseg=size)


def _standouts(audio: np.ndarray, db: float) -> int:
    """How many times the 5 ms level in 2-5 kHz rises `db` above its median."""
    sos = butter(4, [2000, 5000], "bandpass", fs=RATE, output="sos")
    band = sosfilt(sos, audio.astype(np.float64).mean(axis=1))
    levels = 20 * np.log10(window_levels(band, int(0.005 * RATE)))
    loud = levels > np.median(levels) + db
    return int(np.sum(np.diff(loud.astype(int)) == 1))


def _write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    """Write float audio in [-1, 1] of shape (frames, channels) as 16-bit PCM."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(audio.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _tone_file(folder: Path, seconds: float = 5.0, rate: int = RATE) -> Path:
    """A stereo tone whose period does not divide the file, so a bare loop would click."""
    t = np.arange(int(seconds * rate)) / rate
    audio = np.stack([0.3 * np.sin(2 * np.pi * 221.3 * t + 0.7),
                      0.3 * np.sin(2 * np.pi * 221.3 * t + 1.9)], axis=1)
    return _write_wav(folder / "tone.wav", audio, rate)


def _loop_points(bed: FileBed, frames: int) -> list[float]:
    """Seconds where each crossfade starts and ends."""
    loop = bed.load(RATE)
    starts = range(loop.period, frames, loop.period)
    return [s / RATE for s in starts] + [(s + len(loop.fade)) / RATE for s in starts]


def test_file_bed_loops_without_clicks(tmp_path):
    path = _tone_file(tmp_path)
    bed = FileBed(path)
    audio = bed.render(30 * RATE, RATE, 1)
    assert audio.shape == (30 * RATE, 2) and audio.dtype == np.float32
    points = _loop_points(bed, 30 * RATE)
    assert len(points) >= 12
    assert worst_jump_near(audio, points, RATE) < 3.0  # measured 1.4
    source = bed.load(RATE).source.astype(np.float32) / 32768
    bare = np.concatenate([source, source])
    assert worst_jump_near(bare, [5.0], RATE) > 7.0  # a bare loop would click (measured 41)
    assert abs(level_db(audio, BED_RMS)) < 1.0  # a tone dips a little in crossfades (-0.7 dB)


def test_file_bed_level_from_a_quiet_file_without_dips(tmp_path):
    rate = 22050  # decoded to the requested rate
    noise = 0.02 * np.random.default_rng(1).standard_normal((int(4.5 * rate), 2))
    bed = FileBed(_write_wav(tmp_path / "quiet.wav", noise, rate))
    audio = bed.render(20 * RATE, RATE, 1)
    assert abs(level_db(audio, BED_RMS)) < 0.3
    levels = 20 * np.log10(window_levels(audio, RATE // 4) / BED_RMS)
    assert np.abs(levels).max() < 1.0  # equal-power crossfades keep the level
    assert len(_loop_points(bed, 20 * RATE)) >= 10


def test_file_bed_blocks_and_seed(tmp_path):
    bed = FileBed(_tone_file(tmp_path, 2.5))
    whole = bed.render(12 * RATE, RATE, 1)
    for block in (999, 77777):
        assert np.array_equal(np.concatenate(list(bed.blocks(12 * RATE, RATE, 1, block=block))),
                              whole)
    assert np.array_equal(bed.render(12 * RATE, RATE, 2), whole)  # the seed plays no part
    assert np.allclose(whole[: RATE], bed.load(RATE).source[:RATE] * bed.load(RATE).gain)


def test_file_bed_uses_only_the_first_minutes(tmp_path, monkeypatch):
    monkeypatch.setattr(beds, "_MAX_SOURCE_SECONDS", 3.0)
    bed = FileBed(_tone_file(tmp_path, 5.0))
    assert len(bed.load(RATE).source) == 3 * RATE


@pytest.mark.parametrize("kind", ["text", "silent", "short", "missing"])
def test_file_bed_rejects_unusable_files(tmp_path, kind):
    path = tmp_path / f"{kind}.wav"
    if kind == "text":
        path.write_text("not audio at all")
    elif kind == "silent":
        _write_wav(path, np.zeros((3 * RATE, 2)), RATE)
    elif kind == "short":
        _tone_file(tmp_path, 1.5).rename(path)
    with pytest.raises(InvalidRequest) as caught:
        FileBed(path).render(RATE, RATE, 1)
    error = caught.value
    assert error.field == "background" and "\n" not in str(error) and path.name in str(error)
    assert error.allowed == "an audio file ffmpeg can read, at least 2 seconds long"


def test_bed_for_names_and_files(tmp_path):
    for name, bed in BEDS.items():
        assert bed_for(name) is bed
    path = _tone_file(tmp_path)
    assert bed_for(str(path)) == FileBed(path)
    with pytest.raises(InvalidRequest) as caught:
        bed_for(str(tmp_path / "nowhere.mp3"))
    assert caught.value.field == "background"
    assert caught.value.allowed == (*BEDS, "or an audio file path")
