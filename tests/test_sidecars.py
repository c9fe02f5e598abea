"""Sidecars: WebVTT captions at the real cue times, the script text, the JSON record."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from cft_audio.errors import ExportError
from cft_audio.export.sidecars import captions_vtt, render_record, script_txt
from cft_audio.files import write_text_atomic
from cft_audio.script.cues import Bell, Breath, Pause, Say, Script, Section
from cft_audio.script.timing import TimedCue

CUES = (
    TimedCue(0.0, 0.0, Section("Arriving")),
    TimedCue(1.5, 3.2346, Say("Let your breath settle.")),
    TimedCue(3.2346, 8.2346, Pause(5.0)),
    TimedCue(8.7351, 14.0004, Say("Notice the ground beneath you, the weight of your body "
                                  "resting, and the air <cool> & quiet on your skin.")),
    TimedCue(14.0004, 18.0, Bell()),
    TimedCue(18.0, 30.0, Breath(2.0, 4.0, 2)),
    TimedCue(3723.0126, 3725.5, Say("Welcome back.")),
)
TIMING = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue in a WebVTT file."""
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        timing = TIMING.match(lines[1])
        assert lines[0].isdigit() and timing
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, timing.groups())
        cues.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000,
                     h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, " ".join(lines[2:])))
    return cues


def test_one_caption_per_sentence_at_its_real_times():
    parsed = parse_vtt(captions_vtt(CUES))
    spoken = [c for c in CUES if isinstance(c.cue, Say)]
    assert len(parsed) == len(spoken)
    for (start, end, text), cue in zip(parsed, spoken, strict=True):
        assert round(start * 1000) == round(cue.start * 1000)
        assert round(end * 1000) == round(cue.end * 1000)
        unescaped = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert unescaped == cue.cue.text
    assert parsed[2][0] == pytest.approx(3723.013, abs=1e-9)


def test_long_sentences_take_two_balanced_lines_and_are_escaped():
    text = captions_vtt(CUES)
    block = text.split("\n\n")[2].split("\n")
    assert len(block) == 4
    assert abs(len(block[2]) - len(block[3])) < 15
    assert "<" not in text and "&lt;cool&gt; &amp; quiet" in text


def test_script_text_has_title_and_marks():
    script = Script("safe-place", "The Safe Place", "short", tuple(c.cue for c in CUES), "")
    text = script_txt(script, [5.0])
    assert text.startswith("The Safe Place\n\n[section Arriving]\nLet your breath settle.\n")
    assert "[pause 5s]" in text and "[bell]" in text and text.endswith("Welcome back.\n")


def test_record_round_trips_with_sorted_keys():
    fields = dict(request={"exercise": "safe-place", "output": Path("out/x.mp3"),
                           "qualities": ("warmth", "strength")},
                  versions={"cft-audio": "0.1.0", "ffmpeg": "n9"}, seed=7,
                  loudness=-16.04, true_peak=-1.9, speech_to_background=math.inf,
                  speech_spans=[(1.5, 3.2)], sections=[[0.0, "Arriving"]])
    text = render_record(**fields)
    data = json.loads(text)
    assert list(data) == sorted(data) and text.endswith("}\n") and '\n  "loudness"' in text
    assert data["request"]["output"] == "out/x.mp3"
    assert data["request"]["qualities"] == ["warmth", "strength"]
    assert data["speech_to_background"] is None and data["loudness"] == -16.04
    assert data["speech_spans"] == [[1.5, 3.2]]
    assert json.loads(render_record(**data)) == data


def test_atomic_private_write(tmp_path):
    target = tmp_path / "track.vtt"
    target.write_text("old")
    write_text_atomic(target, "WEBVTT\n\nZoë\n")
    assert target.read_text(encoding="utf-8") == "WEBVTT\n\nZoë\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["track.vtt"]


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(ExportError, match="track.json"):
        write_text_atomic(tmp_path / "missing" / "track.json", "{}")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(ExportError):
        write_text_atomic(folder, "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["folder.json"]


def test_sidecars_sit_beside_a_track_whose_name_has_a_dot(fake_context, tmp_path):
    from cft_audio import Renderer, Request

    template = tmp_path / "tiny.j2"
    template.write_text("[section Arriving]\nHello.\n[pause short]\nRest.\n", encoding="utf-8")
    track = tmp_path / "01 Week 1. Arriving.wav"
    Renderer(fake_context).render(Request(script=template, background="none", output=track,
                                          sidecars=("vtt", "txt", "json")))
    assert sorted(p.name for p in tmp_path.glob("01 Week 1. Arriving.*")) == [
        "01 Week 1. Arriving.json", "01 Week 1. Arriving.txt", "01 Week 1. Arriving.vtt",
        "01 Week 1. Arriving.wav"]
