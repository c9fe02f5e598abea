"""Streaming measurements: BS.1770 integrated loudness and true peak, block by block."""

from __future__ import annotations

import numpy as np

from .analysis import SegmentEnergies, integrated_from_segments, peak_envelope

_PEAK_CONTEXT = 16
"""Samples each side a true-peak estimate needs (the interpolator has 12 taps)."""


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
    """Highest true peak (4× oversampled) of audio fed in consecutive blocks.

    Each sample is measured once its neighbours on both sides are known, so the result
    does not depend on how the audio is cut; the end is taken as followed by silence.
    """

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self.peak = 0.0
        """Highest settled peak so far (linear)."""
        self._context: np.ndarray | None = None

    def add(self, block: np.ndarray) -> None:
        """Feed the next block (frames, or frames × channels)."""
        if len(block) == 0:
            return
        stereo = block if block.ndim == 2 else block[:, None]
        if self._context is None:
            self._context = np.zeros((_PEAK_CONTEXT, stereo.shape[1]), dtype=np.float32)
        joined = np.concatenate([self._context, stereo])
        self.peak = max(self.peak, self._settled(joined))
        self._context = joined[-2 * _PEAK_CONTEXT:]

    def _settled(self, joined: np.ndarray) -> float:
        """True peak of the samples of `joined` with their context known on both sides."""
        envelope = peak_envelope(joined, self.sample_rate, floor=self.peak or None)
        settled = envelope[_PEAK_CONTEXT: len(joined) - _PEAK_CONTEXT]
        return float(settled.max()) if len(settled) else 0.0

    @property
    def db(self) -> float:
        """The peak of everything fed so far, in dBTP (the end followed by silence)."""
        peak = self.peak
        if self._context is not None:
            tail = np.zeros_like(self._context[:_PEAK_CONTEXT])
            peak = max(peak, self._settled(np.concatenate([self._context, tail])))
        return 20 * float(np.log10(peak)) if peak > 0 else float("-inf")
