"""Streaming measurements: BS.1770 integrated loudness and true peak, block by block."""

from __future__ import annotations

import numpy as np

from .analysis import SegmentEnergies, integrated_from_segments, peak_envelope

_PEAK_CONTEXT = 16


class LoudnessMeter(SegmentEnergies):
    """Integrated loudness (ITU-R BS.1770-4) of audio fed in consecutive blocks.

    Holds one energy value per 100 ms segment (36,000 for an hour), never the audio;
    the result equals `analysis.integrated_loudness` of the whole signal.
    """

    def segment_energies(self) -> np.ndarray:
        """K-weighted energy (summed over channels) of each whole 100 ms segment so far."""
        return self.energies

    def integrated(self) -> float:
        """Integrated loudness in LUFS of everything fed so far (-inf if too short)."""
        return gated_loudness(self.energies, self.segment)


gated_loudness = integrated_from_segments
"""BS.1770 gated loudness from energies of consecutive 100 ms segments."""


class PeakMeter:
    """Highest true peak (4× oversampled) of audio fed in consecutive blocks."""

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self.peak = 0.0
        self._tail: np.ndarray | None = None

    def add(self, block: np.ndarray) -> None:
        """Feed the next block; the previous block's last samples give the context."""
        if len(block) == 0:
            return
        stereo = block if block.ndim == 2 else block[:, None]
        joined = stereo if self._tail is None else np.concatenate([self._tail, stereo])
        context = 0 if self._tail is None else len(self._tail)
        loudest = float(np.abs(joined).max()) if joined.size else 0.0
        envelope = peak_envelope(joined, self.sample_rate, floor=max(self.peak, loudest))
        if len(envelope) > context:
            self.peak = max(self.peak, float(envelope[context:].max()))
        self._tail = joined[-_PEAK_CONTEXT:].copy()

    @property
    def db(self) -> float:
        """The peak in dBTP."""
        return 20 * float(np.log10(self.peak)) if self.peak > 0 else float("-inf")
