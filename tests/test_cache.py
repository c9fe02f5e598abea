"""The speech cache: round trips, damage detection, bounded size, concurrent writers."""

from __future__ import annotations

import multiprocessing
import os
import stat

import numpy as np
import pytest

from cft_audio.voices.cache import SpeechCache, _decode, speech_key
from cft_audio.voices.engine import SpeechClip, VoiceSettings


def clip(seed: int, seconds: float = 0.5, rate: int = 22050) -> SpeechClip:
    samples = np.random.default_rng(seed).uniform(-0.5, 0.5, int(seconds * rate))
    return SpeechClip(samples=samples.astype(np.float32), sample_rate=rate)


def entry_files(cache: SpeechCache):
    return sorted(cache.folder.glob("*/*.speech"))


def test_round_trip_is_exact(tmp_path):
    cache = SpeechCache(tmp_path / "c")
    original = clip(1)
    cache.put("ab" * 32, original)
    back = cache.get("ab" * 32)
    assert back is not None and back.sample_rate == 22050
    np.testing.assert_array_equal(back.samples, original.samples)
    assert cache.get("cd" * 32) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("voice", "piper:other"), ("settings", VoiceSettings(length_scale=1.1)),
     ("settings", VoiceSettings(pitch_semitones=-1)), ("text", "Hello, Eefa.")],
)
def test_key_changes_with_everything_that_changes_the_sound(field, value):
    base = {"identity": "piper:abc", "settings": VoiceSettings(), "text": "Hello, Aoife."}
    changed = dict(base, **{"identity" if field == "voice" else field: value})
    assert speech_key(**base) == speech_key(**base)
    assert speech_key(**changed) != speech_key(**base)


@pytest.mark.parametrize(
    "damage",
    [lambda b: b[: len(b) // 2], lambda b: b[:10], lambda b: b"",
     lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b"XXXXXXXX" + b[8:]],
    ids=["truncated", "header-only", "empty", "flipped-bit", "bad-magic"],
)
def test_damaged_entry_is_detected_and_removed(tmp_path, damage):
    cache = SpeechCache(tmp_path / "c")
    cache.put("ef" * 32, clip(2))
    (path,) = entry_files(cache)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get("ef" * 32) is None
    assert not path.exists()


def test_size_is_bounded_oldest_evicted_first(tmp_path):
    one = len(np.zeros(11025, np.float32).tobytes()) + 52
    cache = SpeechCache(tmp_path / "c", limit_bytes=10 * one)
    for i in range(30):
        key = f"{i:064x}"
        cache.put(key, clip(i))
        os.utime(entry_files(cache)[0].parent / f"{key}.speech", (i, i))
    info = cache.info()
    assert info.bytes <= 10 * one
    assert cache.get(f"{29:064x}") is not None  # the newest stays
    assert cache.get(f"{0:064x}") is None  # the oldest went


def test_entries_are_private(tmp_path):
    cache = SpeechCache(tmp_path / "c")
    cache.put("12" * 32, clip(3))
    (path,) = entry_files(cache)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700


def test_clear_and_info(tmp_path):
    cache = SpeechCache(tmp_path / "c")
    for i in range(3):
        cache.put(f"{i:064x}", clip(i))
    assert cache.info().entries == 3
    assert cache.clear() == 3
    assert cache.info().entries == 0 and cache.info().bytes == 0


def test_unwritable_cache_is_skipped_not_fatal(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = SpeechCache(blocker / "c")
    assert cache.put("34" * 32, clip(4)) is False
    assert cache.get("34" * 32) is None


def _writer(folder: str, worker: int) -> None:
    cache = SpeechCache(folder)
    for round_ in range(40):
        key = f"{round_ % 10:064x}"  # every worker writes the same ten keys
        cache.put(key, clip(round_ % 10, seconds=0.3))
        got = cache.get(f"{(round_ + worker) % 10:064x}")
        if got is not None:
            expected = clip((round_ + worker) % 10, seconds=0.3)
            assert np.array_equal(got.samples, expected.samples)


def test_concurrent_writers_leave_only_whole_entries(tmp_path):
    folder = str(tmp_path / "c")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(folder, w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    cache = SpeechCache(folder)
    files = entry_files(cache)
    assert len(files) == 10
    assert all(_decode(path.read_bytes()) is not None for path in files)
    assert not list(cache.folder.glob("*/.*.part"))
