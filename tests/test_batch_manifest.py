"""Batch manifests: every problem listed at once (row, field, allowed values), nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cft_audio import Renderer
from cft_audio.batch.errors import ManifestError
from cft_audio.batch.names import folder_name, safe_component, track_stem
from cft_audio.batch.plan import plan_batch
from cft_audio.cli import main
from cft_audio.schema import BY_KEY

from .batch_support import write_manifest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REACH = BY_KEY["minutes"].range


def test_example_manifest_plans_ten_packs_of_three_weeks(tmp_path):
    plan = plan_batch(EXAMPLES / "programme.yaml", tmp_path / "out", Renderer())
    assert len(plan.packs) == 10 and len(plan.tracks) == 30
    assert [p.folder.name for p in plan.packs] == [f"p{n:02d}" for n in range(1, 11)]
    first = plan.packs[0].tracks
    assert [t.path.name for t in first] == ["01 Week 1 - Soothing Rhythm Breathing.mp3",
                                            "02 Week 2 - The Safe Place.mp3",
                                            "03 Week 3 - The Ideal Compassionate Other.mp3"]
    request = first[0].request
    assert (request.album, request.artist, request.track) == (
        "Finding Your Compassionate Mind", "Dr Aoife Byrne, Riverside Psychology", 1)
    assert request.length == "standard" and request.name == "Siobhán"
    assert not (tmp_path / "out").exists()


def test_participants_from_the_example_csv(tmp_path):
    plan = plan_batch(EXAMPLES / "programme.yaml", tmp_path / "out", Renderer(),
                      participants_csv=EXAMPLES / "participants.csv")
    assert len(plan.tracks) == 30
    assert plan.packs[0].participant.settings["details"] == (
        "the smell of turf smoke", "reeds moving in the wind")
    assert plan.packs[4].participant.settings["gentle"] is True


FIVE_ERRORS = {
    "defaults": {"minutes": 4, "background": "none", "tone": "sunny"},
    "exercises": [{"week": 1, "exercise": "soothing-breath"},
                  {"week": 5, "exercise": "safe-place"}],
}
FIVE_PEOPLE = [{"id": "a1", "name": "Ana", "place": "moon"},
               {"id": "a2", "pace": "fast", "colour": "blue"}]


def test_five_errors_in_one_run_exit_2_and_nothing_written(tmp_path, capsys):
    manifest = write_manifest(tmp_path, FIVE_PEOPLE, **FIVE_ERRORS)
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 5, lines
    assert all(line.startswith("cft-audio: error: programme.yaml: ") for line in lines)
    expected = [
        ("defaults: tone: unknown value 'sunny'", "allowed: bright, calm, gentle, warm"),
        ("exercises row 2: week: 5 is outside the programme", "allowed: 1 to 2"),
        ("participants row 1 (a1): place: unknown value 'moon'", "allowed: beach"),
        ("participants row 2 (a2): pace: unknown value 'fast'", "allowed: brisk, moderate"),
        ("participants row 2 (a2): colour: unknown key", "allowed: id, name, image"),
    ]
    for start, allowed in expected:
        assert any(start in line and allowed in line for line in lines), (start, lines)
    assert not out.exists()


@pytest.mark.parametrize(("change", "expect"), [
    ({"programme": {"weeks": 2}}, "programme: title: missing"),
    ({"exercises": []}, "exercises: missing or empty"),
    ({"exercises": [{"week": 1, "exercise": "yoga"}]},
     "exercises row 1: exercise: unknown value 'yoga' (allowed: compassionate-other"),
    ({"defaults": {"minutes": 2}}, f"defaults: minutes: 2 is out of range (allowed: {REACH})"),
    ({"defaults": {"minutes": 4, "gentle": "perhaps"}},
     "defaults: gentle: 'perhaps' must be yes or no (allowed: yes or no)"),
    ({"defaults": {"minutes": 50}}, "defaults: minutes: 50 cannot be reached for soothing"),
    ({"colour": 1}, "manifest: colour: unknown key (allowed: programme, defaults"),
])
def test_manifest_problems_name_row_field_and_allowed_values(tmp_path, change, expect):
    with pytest.raises(ManifestError) as caught:
        plan_batch(write_manifest(tmp_path, [{"name": "Sam"}], **change), tmp_path / "out",
                   Renderer())
    assert any(expect in line for line in caught.value.lines()), caught.value.lines()


def test_csv_problems_name_the_spreadsheet_row(tmp_path):
    shutil.copy(EXAMPLES / "programme.yaml", tmp_path / "programme.yaml")
    (tmp_path / "people.csv").write_text(
        "id,name,place,gentle\nx1,Ann,beach,no\nx2,Bob,moon,maybe\n", encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        plan_batch(tmp_path / "programme.yaml", tmp_path / "out", Renderer(),
                   participants_csv=tmp_path / "people.csv")
    lines = caught.value.lines()
    assert any("people.csv row 3 (x2): place: unknown value 'moon'" in x for x in lines), lines
    assert any("people.csv row 3 (x2): gentle: 'maybe' must be yes or no" in x for x in lines)
    assert len(lines) == 2


@pytest.mark.parametrize("person", [{"name": "../../etc/x"}, {"id": "../x"},
                                    {"id": "a b"}, {"name": "<script>"}])
def test_unsafe_names_and_ids_are_refused_before_anything_is_written(tmp_path, capsys, person):
    manifest = write_manifest(tmp_path, [person])
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out")]) == 2
    assert "participants row 1" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["programme.yaml"]


def test_check_only_renders_nothing(tmp_path, capsys):
    manifest = write_manifest(tmp_path, [{"name": "Sam"}, {"name": "李小龙"}])
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out"), "--check"]) == 0
    assert "2 participants, 4 tracks" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_scheduler_needs_the_dask_executor(tmp_path, capsys):
    manifest = write_manifest(tmp_path, [{"name": "Sam"}])
    assert main(["batch", str(manifest), "--scheduler", "tcp://x:1"]) == 2
    assert "--executor dask and --scheduler" in capsys.readouterr().err


def test_ids_name_folders_unless_names_are_asked_for(tmp_path):
    people = [{"name": "Siobhán Ní Bhriain"}, {"name": "李小龙", "id": "c-7"}, {}]
    manifest = write_manifest(tmp_path, people)
    plain = plan_batch(manifest, tmp_path / "out", Renderer())
    assert [p.folder.name for p in plain.packs] == ["p01", "c-7", "p03"]
    named = plan_batch(manifest, tmp_path / "out", Renderer(), name_files=True)
    assert [p.folder.name for p in named.packs] == ["p01 Siobhán Ní Bhriain", "c-7 李小龙", "p03"]
    assert all(t.path.parent.parent == tmp_path / "out" for t in named.tracks)


@pytest.mark.parametrize(("text", "safe"), [
    ("../../etc/x", "etc-x"),
    ("Siobhán Ní Bhriain", "Siobhán Ní Bhriain"),
    ("Siobha\u0301n", "Siobhán"),  # NFC
    ("李小龙", "李小龙"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"),
    ("..", ""),
    ("nul", "_nul"),
    ("x\x00y\u202ez", "xyz"),
    ("é" * 80, "é" * 50),
])
def test_safe_component(text, safe):
    assert safe_component(text) == safe
    assert "/" not in safe and ".." not in safe


def test_track_and_folder_names():
    assert track_stem(3, 2, "Dr. Who's place") == "03 Week 2 - Dr Who's place"
    assert folder_name("p01", "../x") == "p01"
    assert folder_name("p01", "../x", with_name=True) == "p01 x"


def test_progress_line_shows_counts_and_eta():
    import io

    from cft_audio.batch.cli import BatchProgress

    stream = io.StringIO()
    bar = BatchProgress(stream)
    bar("speech", 0, 40)
    bar("speech", 40, 40)
    bar("render", 0, 30)
    bar("render", 10, 30)
    bar.close()
    text = stream.getvalue()
    assert "Speaking sentences" in text and "40/40" in text and "100%" in text
    assert "Rendering tracks" in text and "10/30" in text and "ETA 0:00" in text


def test_one_batch_at_a_time_per_output_folder(tmp_path):
    from cft_audio.batch.errors import BatchError
    from cft_audio.batch.runner import output_lock, run_batch

    plan = plan_batch(write_manifest(tmp_path, [{"name": "Sam"}]), tmp_path / "out", Renderer())
    (tmp_path / "out").mkdir()
    with output_lock(tmp_path / "out"), pytest.raises(BatchError, match="another batch"):
        run_batch(plan, executor=None)  # type: ignore[arg-type]  (refused before any work)


def test_a_batch_waits_for_a_cancelled_one_to_let_go_of_the_folder(tmp_path):
    import threading

    from cft_audio.batch.runner import output_lock

    held, released = threading.Event(), threading.Event()

    def hold() -> None:
        with output_lock(tmp_path):
            held.set()
            released.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    threading.Timer(0.3, released.set).start()  # the other batch stops a moment later
    with output_lock(tmp_path, wait=30):
        assert released.is_set()
    holder.join()


def test_pronoun_and_own_words_with_capitals_reach_the_tracks(tmp_path):
    people = [{"image": "my late father", "place": "Grandma's house"},
              {"image": "Aroha", "pronoun": "she", "place": "at the beach at Whitby"}]
    manifest = write_manifest(tmp_path, people, exercises=[
        {"week": 1, "exercise": "safe-place"}, {"week": 2, "exercise": "compassionate-other"}])
    plan = plan_batch(manifest, tmp_path / "out", Renderer())
    first, second = ([t.script.sentences for t in pack.tracks] for pack in plan.packs)
    assert "Imagine that Grandma's house is glad you are here." in first[0]
    assert "Now imagine compassion flowing from your late father to you." in first[1]
    assert "Imagine that you are there now, at the beach." in second[0]
    assert any(s.startswith("She wants you") for s in second[1])
    safe_place = plan.packs[0].tracks[0].request
    assert safe_place.image == ""  # a participant's image is for the weeks that use it


@pytest.mark.parametrize(("person", "field", "cli"), [
    ({"pronoun": "xe"}, "pronoun", ["--pronoun", "xe", "--image", "Aroha"]),
    ({"image": "a {% raw %}"}, "image", ["--image", "a {% raw %}"]),
])
def test_manifest_refuses_what_the_cli_refuses_in_its_words(tmp_path, capsys, person, field,
                                                            cli):
    manifest = write_manifest(tmp_path, [person], exercises=[
        {"week": 1, "exercise": "compassionate-other"}])
    assert main(["batch", str(manifest), "--check"]) == 2
    batch = capsys.readouterr().err
    assert main(["script", "compassionate-other", *cli]) == 2
    words = capsys.readouterr().err.split(f"--{field}: ", 1)[1].strip()
    assert f"{field}: {words}" in batch


def test_a_setting_no_exercise_uses_is_refused(tmp_path, capsys):
    manifest = write_manifest(tmp_path, [{"image": "my gran"}])  # breathing and safe place
    assert main(["batch", str(manifest), "--check"]) == 2
    assert "image: no exercise of this programme uses it (allowed: compassionate-other)" \
        in capsys.readouterr().err
