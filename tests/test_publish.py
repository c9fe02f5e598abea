"""Automatic names are reserved atomically, and a track and its sidecars are published as one."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cft_audio.errors import ExportError
from cft_audio.export.publish import reserve, sweep_outputs
from cft_audio.files import SETTLING_SECONDS, file_sha256
from cft_audio.pipeline import RenderContext, Renderer
from cft_audio.request import Request

from .conftest import FakeEngine

SIDECARS = ("json", "vtt", "txt")
ROUNDS = 20


TEMPLATE = "[section Hello]\nHello, {{ name }}.\n[pause short]\nRest a while.\n"
"""A few seconds of speech: the race is in naming and publishing, not in the sound."""


def _request(folder: Path, name: str) -> Request:
    template = folder.parent / "tiny.j2"
    return Request(script=template, name=name, background="none", output=folder,
                   format="wav", sidecars=SIDECARS)


def _render_both(folder: Path) -> list[Path]:
    """Two renderers (two clients) start rendering into `folder` at the same moment."""
    (folder.parent / "tiny.j2").write_text(TEMPLATE, encoding="utf-8")
    renderers = [Renderer(RenderContext(open_engine=lambda p: FakeEngine())) for _ in range(2)]
    start, paths, errors = threading.Barrier(2), [], []

    def run(renderer: Renderer, name: str) -> None:
        try:
            start.wait()
            paths.append(renderer.render(_request(folder, name)).path)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r, n))
               for r, n in zip(renderers, ("Ann", "Bo"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return paths


def test_two_renders_at_once_keep_two_whole_tracks(tmp_path):
    for round_number in range(ROUNDS):
        folder = tmp_path / f"round-{round_number}"
        paths = _render_both(folder)
        assert len(set(paths)) == 2, f"round {round_number}: both renders wrote {paths[0].name}"
        names = set()
        for path in paths:
            record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            assert record["output_sha256"] == file_sha256(path)
            names.add(record["request"]["name"])
            assert record["request"]["name"] in path.with_suffix(".txt").read_text(encoding="utf-8")
        assert names == {"Ann", "Bo"}
        visible = sorted(p.name for p in folder.iterdir())
        assert len(visible) == 8 and not any(n.startswith(".") for n in visible), visible


CHILD = r"""
import hashlib, json, os, signal, sys
from pathlib import Path
from cft_audio.export.publish import reserve

folder, automatic = Path(sys.argv[1]), sys.argv[2] == "1"
client, kill_at = sys.argv[3], int(sys.argv[4])
steps = [0]

def counted(call):
    def step(*args, **kwargs):
        if steps[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        steps[0] += 1
        return call(*args, **kwargs)
    return step

with reserve(folder / "t.wav", automatic, ("vtt", "txt", "json")) as slot:
    audio = slot.temp()
    audio.write_bytes(f"audio of {client}".encode() * 1000)
    digest = hashlib.sha256(audio.read_bytes()).hexdigest()
    texts = {"vtt": f"WEBVTT {client}", "txt": client,
             "json": json.dumps({"client": client, "output_sha256": digest})}
    os.link, os.replace, os.unlink = (counted(os.link), counted(os.replace),
                                      counted(os.unlink))
    slot.publish(audio, texts)
print(steps[0])
"""
"""A render that publishes fake files and kills itself (SIGKILL) before its n-th file
operation (link, rename or unlink) from the start of publishing; -1: never."""


def _child(folder: Path, automatic: bool, client: str, kill_at: int) -> int:
    run = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(int(automatic)),
                          client, str(kill_at)], capture_output=True, text=True, check=False)
    if kill_at < 0:
        assert run.returncode == 0, run.stderr
        return int(run.stdout)
    assert run.returncode == -signal.SIGKILL, run.stderr
    return 0


def _clients(folder: Path) -> dict[str, set[str]]:
    """Which client's content each stem's visible files hold; every record checked."""
    found: dict[str, set[str]] = {}
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8")
        client = "Ann" if "Ann" in text else "Bo"
        found.setdefault(path.stem, set()).add(client)
        if path.suffix == ".json":
            record = json.loads(text)
            audio = path.with_suffix(".wav")
            assert audio.is_file(), f"{path.name} without its audio"
            assert record["output_sha256"] == file_sha256(audio), f"{path.name}: wrong hash"
    return found


@pytest.mark.parametrize("automatic", [True, False], ids=["automatic", "explicit"])
def test_a_kill_at_any_step_of_publishing_leaves_whole_units(tmp_path, automatic):
    steps = None
    for kill_at in range(-1, 20):
        folder = tmp_path / f"kill-{kill_at}"
        folder.mkdir()
        assert _child(folder, False, "Ann", -1) > 0  # an earlier track, to overwrite or keep
        if kill_at < 0:
            steps = _child(folder, automatic, "Bo", -1)
            continue
        if kill_at >= steps:
            break
        _child(folder, automatic, "Bo", kill_at)
        assert all(len(c) == 1 for stem, c in _clients(folder).items()
                   if (folder / f"{stem}.wav").exists()), f"mixed clients after kill {kill_at}"
        time.sleep(SETTLING_SECONDS)
        sweep_outputs(folder)
        left = sorted(p.name for p in folder.iterdir())
        by_stem = _clients(folder)
        for stem, clients in by_stem.items():
            assert len(clients) == 1
            assert [n for n in left if n.startswith(f"{stem}.")] == [
                f"{stem}.{s}" for s in ("json", "txt", "vtt", "wav")], (kill_at, left)
        if automatic:
            assert by_stem.get("t") == {"Ann"}, (kill_at, left)
        assert not [n for n in left if n.startswith(".")], (kill_at, left)
    assert steps is not None and steps >= 4


def _publish(slot, client: str) -> None:
    """Publish a fake track of `client` (and the slot's sidecars) through `slot`."""
    audio = slot.temp()
    audio.write_bytes(f"audio of {client}".encode())
    record = json.dumps({"client": client, "output_sha256": file_sha256(audio)})
    slot.publish(audio, {"vtt": f"WEBVTT {client}", "txt": client, "json": record})


def test_automatic_names_skip_a_held_slot_and_explicit_ones_wait_for_it(tmp_path):
    with reserve(tmp_path / "t.wav", True, ("json",)) as first:
        with reserve(tmp_path / "t.wav", True, ("json",)) as second:
            assert (first.audio.name, second.audio.name) == ("t.wav", "t-2.wav")
            _publish(second, "Bo")
        order: list[str] = []

        def overwrite() -> None:
            with reserve(tmp_path / "t.wav", False, ("json",)) as slot:
                order.append("explicit")
                _publish(slot, "Cy")

        waiting = threading.Thread(target=overwrite)
        waiting.start()
        time.sleep(0.3)
        order.append("automatic")
        _publish(first, "Ann")
    waiting.join()
    assert order == ["automatic", "explicit"]
    assert json.loads((tmp_path / "t.json").read_text())["client"] == "Cy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t-2.json", "t-2.wav", "t.json",
                                                          "t.wav"]


def test_an_explicit_overwrite_drops_only_the_record_of_the_audio_it_replaces(tmp_path):
    with reserve(tmp_path / "t.wav", False, ("json", "vtt")) as slot:
        _publish(slot, "Ann")
    with reserve(tmp_path / "t.flac", False) as slot:  # another format beside: keeps it
        _publish(slot, "Ann")
    assert (tmp_path / "t.json").is_file()
    with reserve(tmp_path / "t.wav", False) as slot:  # the audio the record hashes
        _publish(slot, "Bo")
    assert not (tmp_path / "t.json").exists()
    assert (tmp_path / "t.wav").read_bytes() == b"audio of Bo"


def test_a_failed_publish_leaves_nothing_of_its_unit(tmp_path, monkeypatch):
    real = os.replace

    def full(source: object, target: object) -> None:
        if str(target).endswith(".wav"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(ExportError, match="cannot write t.wav: the disk is full"), \
            reserve(tmp_path / "t.wav", False, SIDECARS) as slot:
        _publish(slot, "Ann")
    assert list(tmp_path.iterdir()) == []
