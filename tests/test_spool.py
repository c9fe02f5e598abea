"""The mix is made once and replayed from a private temporary file by later passes."""

from __future__ import annotations

import os

import numpy as np

from cft_audio.sound import spool
from cft_audio.sound.spool import Replay


def counted_blocks(calls: list[int], frames: int = 10_000, block: int = 4096):
    def make():
        calls.append(1)
        rng = np.random.default_rng(3)
        for start in range(0, frames, block):
            yield rng.standard_normal((min(block, frames - start), 2)).astype(np.float32)
    return make


def test_later_passes_replay_the_first_exactly():
    calls: list[int] = []
    make = counted_blocks(calls)
    with Replay(make, 10_000, 2, block=1000) as replay:
        first = np.concatenate(list(replay()))
        second_blocks = list(replay())
        second = np.concatenate(second_blocks)
        third = np.concatenate(list(replay()))
    assert len(calls) == 1
    np.testing.assert_array_equal(first, np.concatenate(list(make())))
    np.testing.assert_array_equal(second, first)
    np.testing.assert_array_equal(third, first)
    assert max(len(b) for b in second_blocks) == 1000


def test_a_pass_stopped_early_is_not_replayed():
    calls: list[int] = []
    with Replay(counted_blocks(calls), 10_000, 2) as replay:
        next(iter(replay()))  # abandoned after one block
        whole = np.concatenate(list(replay()))
        again = np.concatenate(list(replay()))
    assert len(calls) == 2
    assert len(whole) == 10_000
    np.testing.assert_array_equal(again, whole)


def test_without_disk_room_the_mix_is_made_again(monkeypatch):
    class Full:
        free = 0
    monkeypatch.setattr(spool.shutil, "disk_usage", lambda path: Full())
    calls: list[int] = []
    with Replay(counted_blocks(calls), 10_000, 2) as replay:
        a, b = np.concatenate(list(replay())), np.concatenate(list(replay()))
    assert len(calls) == 2
    np.testing.assert_array_equal(a, b)


def test_the_recording_has_no_name_on_disk(tmp_path):
    calls: list[int] = []
    with Replay(counted_blocks(calls), 10_000, 2, folder=str(tmp_path)) as replay:
        list(replay())
        assert os.listdir(tmp_path) == []
