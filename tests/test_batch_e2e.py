"""A real batch (Piper voice, bundled ffmpeg) from the command line: packs pass the checks."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest
import yaml

from cft_audio.analyse import analyse_file
from cft_audio.cli import main

from .batch_support import unix_sockets_only
from .test_batch import tiny_manifest


@pytest.mark.e2e
def test_real_voice_batch_renders_checked_packs(tmp_path, capsys):
    unix_sockets_only()  # the worker pool's fork server; the network stays blocked
    manifest = tiny_manifest(tmp_path / "in", [{"name": "Siobhán", "id": "s1"}])
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out), "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "2 rendered, 0 kept from an earlier run, 0 failed" in printed
    for track in sorted(out.glob("s1/*.mp3")):
        measured = analyse_file(track)
        assert abs(measured.integrated_loudness + 16) <= 1.0, track
        assert measured.true_peak <= -1.0, track
    with open(out / "summary.csv", encoding="utf-8") as handle:
        assert [r["check"] for r in csv.DictReader(handle)] == ["ok", "ok"]
    assert len(zipfile.ZipFile(out / "s1.zip").namelist()) == 7
    assert main(["batch", str(manifest), "-o", str(out), "-q"]) == 0  # resumed: nothing to do


@pytest.mark.e2e
def test_manifest_voice_heart_speaks_every_track_in_that_voice(tmp_path, capsys):
    unix_sockets_only()
    manifest = tiny_manifest(tmp_path / "in", [{"name": "Aoife", "id": "a1",
                                                "say": ["Aoife=/ˈifə/"]}])
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    data["defaults"]["voice"] = "heart"  # the manifest's `voice:` for every track
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out), "--jobs", "1"]) == 0
    assert "2 rendered, 0 kept from an earlier run, 0 failed" in capsys.readouterr().out
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("a1/*.json"))]
    assert len(records) == 2
    assert all(r["request"]["voice"] == "heart" and r["voice"].startswith("hibari:")
               for r in records)
