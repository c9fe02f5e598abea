"""Coqui fixtures: the `coqui` marker, a skip when Coqui TTS is absent, a tiny built model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

if importlib.util.find_spec("TTS") is not None:
    # urllib3 (imported by Coqui) probes IPv6 at import by opening, never connecting, a
    # socket; import it now, before pytest-socket blocks sockets, so no test trips on it.
    import urllib3  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    """Register the `coqui` marker (also for runs that do not read the project's markers)."""
    config.addinivalue_line("markers", "coqui: tests that need the optional Coqui TTS engine")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Checkpoint and config.json of a tiny random-weight VITS, built once per session."""
    from .build_tiny_model import build

    return build(tmp_path_factory.mktemp("tiny-vits"))
