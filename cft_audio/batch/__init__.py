"""Group programme packs: a manifest of participants × weekly exercises → one pack each.

Imported lazily (`from cft_audio.batch import plan_batch`), so `cft-audio --help` stays fast.
"""

from importlib import import_module

_EXPORTS = {
    "BatchError": "errors", "BatchInterrupted": "errors", "ManifestError": "errors",
    "Problem": "errors", "LocalExecutor": "executors", "Pack": "plan", "Plan": "plan",
    "Track": "plan", "plan_batch": "plan", "BatchReport": "runner", "run_batch": "runner",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    """Load an exported name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
