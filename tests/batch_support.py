"""Helpers for the batch tests: a fake-engine context for worker processes, tiny manifests."""

from __future__ import annotations

from pathlib import Path

import yaml

from cft_audio.pipeline import RenderContext

from .conftest import FakeEngine


def fake_context() -> RenderContext:
    """A batch worker's context whose every voice is the fake engine (picklable by name)."""
    engine = FakeEngine()
    return RenderContext(open_engine=lambda profile: engine, keep_voices=True)


def write_manifest(folder: Path, participants: list[dict], **change: object) -> Path:
    """A short two-week programme (4-minute tracks, quiet bed) for the given participants."""
    data = {
        "programme": {"title": "Test <Programme> & Co", "facilitator": "Dr Ní Bhriain",
                      "weeks": 2, "year": 2026},
        "defaults": {"minutes": 4, "background": "none"},
        "exercises": [{"week": 1, "exercise": "soothing-breath"},
                      {"week": 2, "exercise": "safe-place"}],
        "participants": participants,
        **change,
    }
    path = folder / "programme.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def unix_sockets_only() -> None:
    """Allow local Unix sockets (the worker pool's fork server talks over one); no network."""
    import pytest_socket

    pytest_socket.enable_socket()  # undo the plain guard first (guards stack otherwise)
    pytest_socket.disable_socket(allow_unix_socket=True)
