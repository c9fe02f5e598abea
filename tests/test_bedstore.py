"""Beds kept for later tracks: the same samples as rendering them afresh, read not remade."""

from __future__ import annotations

import numpy as np
import pytest

from cft_audio.sound.beds import BEDS, bed_for, render
from cft_audio.sound.bedstore import StoredBed

RATE = 44100


@pytest.mark.parametrize("name", ["ocean", "bowls"])
def test_stored_bed_equals_the_bed_at_any_length(tmp_path, name):
    bed = bed_for(name)
    stored = StoredBed(bed, name, tmp_path)
    marks = (0.5, 2.0)
    first = render(stored, 3 * RATE, RATE, 4, marks)       # writes it
    shorter = render(stored, 2 * RATE, RATE, 4, marks)     # reads a prefix
    longer = render(stored, 5 * RATE, RATE, 4, marks)      # extends it
    np.testing.assert_array_equal(first, render(bed, 3 * RATE, RATE, 4, marks))
    np.testing.assert_array_equal(shorter, first[: 2 * RATE])
    np.testing.assert_array_equal(longer, render(bed, 5 * RATE, RATE, 4, marks))
    (kept,) = tmp_path.glob("*.f32")
    assert kept.stat().st_size == 5 * RATE * 8
    assert not list(tmp_path.glob("*.part"))


def test_other_seeds_and_marks_are_kept_apart(tmp_path):
    stored = StoredBed(bed_for("bowls"), "bowls", tmp_path)
    a = render(stored, RATE, RATE, 1, (0.2,))
    b = render(stored, RATE, RATE, 2, (0.2,))
    c = render(stored, RATE, RATE, 1, (0.6,))
    assert len(list(tmp_path.glob("*.f32"))) == 3
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("name", sorted(set(BEDS) - {"none"}))
def test_only_beds_that_say_so_change_with_the_marks(name):
    bed = BEDS[name]
    plain, marked = render(bed, 2 * RATE, RATE, 3), render(bed, 2 * RATE, RATE, 3, (0.3, 1.1))
    assert np.array_equal(plain, marked) == (not bed.uses_marks)


def test_tracks_with_their_sections_elsewhere_share_a_bed_that_ignores_marks(tmp_path):
    ocean = StoredBed(bed_for("ocean"), "ocean", tmp_path)
    render(ocean, RATE, RATE, 1, (0.2, 0.7))
    render(ocean, RATE, RATE, 1, (0.4,))
    assert len(list(tmp_path.glob("ocean-*.f32"))) == 1
    bowls = StoredBed(bed_for("bowls"), "bowls", tmp_path)
    render(bowls, RATE, RATE, 1, (0.2, 0.7))
    render(bowls, RATE, RATE, 1, (0.4,))
    assert len(list(tmp_path.glob("bowls-*.f32"))) == 2


def test_a_stored_bed_is_read_not_remade(tmp_path, monkeypatch):
    bed = bed_for("rain")
    stored = StoredBed(bed, "rain", tmp_path)
    expected = render(stored, RATE, RATE, 0)

    class Broken:
        def blocks(self, *args, **kwargs):
            raise AssertionError("the bed was generated again")

    again = StoredBed(Broken(), "rain", tmp_path)  # same name and repr would differ: reuse path
    monkeypatch.setattr(StoredBed, "_path", lambda self, *a: next(tmp_path.glob("*.f32")))
    np.testing.assert_array_equal(render(again, RATE // 2, RATE, 0), expected[: RATE // 2])


def test_renders_with_a_bed_store_are_byte_identical(fake_engine, tmp_path):
    from cft_audio import Renderer, Request
    from cft_audio.pipeline import RenderContext

    template = tmp_path / "tiny.j2"
    template.write_text("[section Arriving]\nHello.\n[pause short]\nRest here.\n",
                        encoding="utf-8")
    store = tmp_path / "beds"
    outputs = []
    for folder in (None, store, store):
        renderer = Renderer(RenderContext(open_engine=lambda profile: fake_engine,
                                          bed_store=folder))
        request = Request(script=template, background="stream", format="wav",
                          output=tmp_path / f"out{len(outputs)}.wav")
        outputs.append(renderer.render(request).path.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(list(store.glob("stream-*.f32"))) == 1


def test_a_prepared_bed_is_generated_once_and_read_by_every_shorter_track(tmp_path):
    stored = StoredBed(bed_for("ocean"), "ocean", tmp_path)
    assert stored.prepare(3 * RATE, RATE, 7) is True
    assert stored.prepare(2 * RATE, RATE, 7) is False  # already long enough: nothing made
    assert stored.holds(3 * RATE, RATE, 7) and not stored.holds(3 * RATE + 1, RATE, 7)
    assert not stored.holds(RATE, RATE, 8)  # another seed is another bed
    (kept,) = tmp_path.glob("*.f32")
    assert kept.stat().st_size == 3 * RATE * 8
    np.testing.assert_array_equal(render(stored, 2 * RATE, RATE, 7),
                                  render(bed_for("ocean"), 2 * RATE, RATE, 7))
