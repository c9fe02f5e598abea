"""Shared practice logs: the checker refuses hostile files in one line; weeks; the CLI."""

from __future__ import annotations

import datetime
import json

import pytest

from cft_audio.cli import main
from cft_audio.errors import PracticeLogError
from cft_audio.practice import (
    MAX_ENTRIES,
    Entry,
    PracticeLog,
    Source,
    as_json,
    check_log,
    read_log,
    shared_text,
    weeks,
)

from .practice_files import HOSTILE, NOW, entry, log, shared


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_in_one_line_naming_what_is_wrong(name):
    data, words = HOSTILE[name]
    with pytest.raises(PracticeLogError) as caught:
        read_log(data)
    message = str(caught.value)
    assert words in message and "\n" not in message and len(message) < 200, message


def test_a_hundred_thousand_entries_are_refused_by_count_even_under_the_size_cap():
    with pytest.raises(PracticeLogError, match=f"100000 entries; at most {MAX_ENTRIES}"):
        check_log(log([entry()] * 100_000))
    assert len(check_log(log([entry()] * MAX_ENTRIES)).entries) == MAX_ENTRIES


@pytest.mark.parametrize("value", [True, "5", 10.0, [5]])
def test_ratings_are_whole_numbers_only(value):
    with pytest.raises(PracticeLogError, match="entries.0..before"):
        check_log(log([entry(before=value)]))


def test_a_note_with_markup_is_kept_as_the_words_it_is():
    note = 'felt safer <script>alert("x")</script> & <b>calm</b>\nsecond line'
    found = read_log(shared(log([entry(note=note)])))
    assert found.entries[0].note == note


def test_skipped_ratings_and_notes_are_kept_as_left_out():
    found = read_log(shared(log([entry(before=None, after=None, note="")])))
    assert (found.entries[0].before, found.entries[0].after, found.entries[0].note) == \
        (None, None, "")


def test_the_date_window_follows_the_day_it_is_read():
    data = log([entry(days_ago=400)])
    assert check_log(data).entries
    later = NOW + datetime.timedelta(days=3700)
    with pytest.raises(PracticeLogError, match="is outside"):
        check_log(data, now=later)


def test_a_shared_text_reads_back_as_the_same_log():
    original = check_log(log([entry(days_ago=3, before=2, after=7, note="the wave"),
                              entry(days_ago=1, before=None, after=5, note="")]))
    again = read_log(shared_text(original).encode())
    assert again == original and as_json(again)["entries"][1]["after"] == 5
    assert "Practice notes: The Safe Place" in shared_text(original).splitlines()[0]


def test_a_plain_json_file_is_read_too():
    assert read_log(json.dumps(log()).encode()).source.kind == "recording"


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../../b"])
def test_a_source_key_cannot_climb_out(key):
    data = log()
    data["source"]["key"] = key
    with pytest.raises(PracticeLogError, match="source.key"):
        check_log(data)


def test_weeks_start_on_monday_in_the_phone_s_own_time():
    plus_one = datetime.timezone(datetime.timedelta(hours=1))
    monday_early = datetime.datetime(2026, 11, 30, 0, 30, tzinfo=plus_one)  # Sunday in UTC
    sunday = datetime.datetime(2026, 12, 6, 22, 0, tzinfo=plus_one)
    next_monday = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=plus_one)
    found = weeks([Entry(t, "", None, None, "") for t in (next_monday, sunday, monday_early)])
    assert [w.start for w in found] == [datetime.date(2026, 11, 30), datetime.date(2026, 12, 7)]
    assert [len(w.entries) for w in found] == [2, 1]
    assert found[0].days[0].weekday() == 0 and len(found[0].days) == 7


def _two_entries(tmp_path):
    path = tmp_path / "practice-log-the-safe-place-2026-12-02.txt"
    path.write_bytes(shared(log([entry(days_ago=2, before=2, after=6, note="slow <b>"),
                                 entry(days_ago=1, before=None, after=None, note="")])))
    return path


def test_practice_show_prints_a_table_week_by_week(tmp_path, capsys):
    path = _two_entries(tmp_path)
    assert main(["practice", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The Safe Place (recording 20261201-101010-abcdef/safe-place): "
                          "2 entries")
    rows = [line for line in out.splitlines() if "The Safe Place  " in line]
    assert len(rows) == 2 and rows[0].split()[-4:] == ["2", "6", "slow", "<b>"], rows
    assert rows[1].split()[-2:] == ["-", "-"]
    assert "when" in out and "before" in out and "Week of " in out


def test_practice_show_json_is_the_checked_log(tmp_path, capsys):
    path = _two_entries(tmp_path)
    assert main(["practice", "show", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    again = check_log(data)
    assert isinstance(again, PracticeLog) and again.source == Source(
        "recording", "20261201-101010-abcdef/safe-place", "The Safe Place")
    assert [e["after"] for e in data["entries"]] == [6, None]


@pytest.mark.parametrize("name", ["rating 99", "date in 2100", "no marker", "ten megabytes"])
def test_practice_show_refuses_a_bad_file_in_one_line_with_exit_2(name, tmp_path, capsys):
    path = tmp_path / "shared.txt"
    path.write_bytes(HOSTILE[name][0])
    assert main(["practice", "show", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cft-audio: error: shared.txt: "), lines
    assert HOSTILE[name][1] in lines[0]


def test_practice_show_of_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["practice", "show", str(tmp_path / "gone.txt")]) == 2
    assert capsys.readouterr().err.strip() == "cft-audio: error: gone.txt: cannot read it: " \
        "not found"
