"""Work done ahead in a background thread gives exactly what doing it in turn would."""

from __future__ import annotations

import contextlib
import dataclasses
import threading

import numpy as np
import pytest

from cft_audio.sound import ahead
from cft_audio.sound.ahead import BedAhead, pulled_ahead
from cft_audio.sound.beds import BEDS, made_from_seed

RATE = 8000


def own(name: str, frames: int, seed: int = 1, block: int = 1 << 16) -> np.ndarray:
    return np.concatenate(list(BEDS[name].blocks(frames, RATE, seed, block=block)))


@pytest.mark.parametrize("wanted", [100, 40_000, 65_536, 200_000])
def test_a_bed_made_ahead_is_the_beds_own_whatever_the_track_needs(wanted):
    with BedAhead(BEDS["ocean"], RATE, 1, frames=70_000) as bed:
        got = list(bed.blocks(wanted, RATE, 1, block=30_000))
    assert [len(b) for b in got[:-1]] == [30_000] * (len(got) - 1)
    np.testing.assert_array_equal(np.concatenate(got), own("ocean", wanted))


def test_a_bed_made_ahead_replays_for_a_second_pass_and_other_seeds_are_the_beds_own():
    with BedAhead(BEDS["rain"], RATE, 2, frames=50_000) as bed:
        first = np.concatenate(list(bed.blocks(90_000, RATE, 2)))
        again = np.concatenate(list(bed.blocks(120_000, RATE, 2)))
        other = np.concatenate(list(bed.blocks(20_000, RATE, 3)))
    np.testing.assert_array_equal(first, own("rain", 90_000, 2))
    np.testing.assert_array_equal(again, own("rain", 120_000, 2))
    np.testing.assert_array_equal(other, own("rain", 20_000, 3))


def test_without_disk_room_the_bed_is_made_in_turn(monkeypatch):
    monkeypatch.setattr(ahead, "_spool", lambda frames, folder: None)
    with BedAhead(BEDS["wind"], RATE, 1, frames=50_000) as bed:
        assert bed._thread is None
        got = np.concatenate(list(bed.blocks(30_000, RATE, 1)))
    np.testing.assert_array_equal(got, own("wind", 30_000))


def test_only_beds_made_from_their_seed_alone_are_made_ahead():
    assert made_from_seed(BEDS["ocean"]) and made_from_seed(BEDS["rain"])
    assert not made_from_seed(BEDS["bowls"])  # strikes at the section marks
    assert not made_from_seed(BEDS["none"])


def test_a_stream_pulled_ahead_gives_the_same_blocks_in_another_thread():
    makers: list[str] = []

    def blocks():
        for k in range(20):
            makers.append(threading.current_thread().name)
            yield np.full((5, 2), k, dtype=np.float32)

    got = list(pulled_ahead(blocks()))
    assert [int(b[0, 0]) for b in got] == list(range(20))
    assert set(makers) == {"pulled-ahead"}


def test_an_error_in_a_stream_pulled_ahead_is_raised_to_its_reader():
    def blocks():
        yield np.zeros((3, 2), dtype=np.float32)
        raise OSError("disk gone")

    stream = pulled_ahead(blocks())
    assert len(next(stream)) == 3
    with pytest.raises(OSError, match="disk gone"):
        next(stream)


def test_a_reader_that_stops_early_stops_the_thread():
    made = []

    def endless():
        while True:
            made.append(1)
            yield np.zeros((1, 2), dtype=np.float32)

    stream = pulled_ahead(endless(), depth=2)
    next(stream)
    stream.close()
    count = len(made)
    assert not any(t.name == "pulled-ahead" for t in threading.enumerate())
    assert len(made) == count


def test_a_render_makes_its_bed_while_speaking_and_writes_what_it_would_in_turn(
        fake_context, fake_engine, tmp_path, monkeypatch):
    from cft_audio import Renderer, Request
    from cft_audio.pipeline import renderer

    seen: list[bool] = []
    speak = fake_engine.synthesize

    def speaking(text, settings):
        seen.append(any(t.name == "bed-ahead" for t in threading.enumerate()))
        return speak(text, settings)

    monkeypatch.setattr(fake_engine, "synthesize", speaking)
    fake_context = dataclasses.replace(fake_context, cache=None)  # each render speaks
    request = dict(exercise="safe-place", length="short", background="rain", format="wav")
    ahead_made = Renderer(fake_context).render(Request(**request, output=tmp_path / "a.wav"))
    assert any(seen)
    seen.clear()
    monkeypatch.setattr(renderer, "bed_ahead", lambda plan: contextlib.nullcontext(plan.bed))
    in_turn = Renderer(fake_context).render(Request(**request, output=tmp_path / "b.wav"))
    assert seen and not any(seen)
    assert ahead_made.path.read_bytes() == in_turn.path.read_bytes()


def test_a_render_whose_speech_is_all_known_makes_its_bed_in_turn(fake_context, tmp_path,
                                                                  monkeypatch):
    from cft_audio import Renderer, Request
    from cft_audio.pipeline import renderer
    from cft_audio.voices.cache import SpeechCache

    made: list[str] = []
    make = renderer.bed_ahead
    monkeypatch.setattr(renderer, "bed_ahead", lambda plan: made.append(type(plan.bed).__name__)
                        or make(plan))
    fake_context = dataclasses.replace(fake_context, cache=SpeechCache(tmp_path / "cache"))

    def placed(**fields) -> None:  # what a render does up to the mix (speech spoken, bed held)
        with contextlib.ExitStack() as held:
            Renderer(fake_context)._placed(Request(exercise="safe-place", length="short",
                                                   **fields), with_output=False, held=held)

    placed(background="ocean")
    assert made == ["Ocean"]  # speech to overlap: the bed is made meanwhile
    placed(background="rain")
    placed(background="rain", name="Alex")
    assert made == ["Ocean", "Rain"]  # all known: in turn; a new name: meanwhile
