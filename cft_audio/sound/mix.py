"""Mix the foreground over a background bed that ducks under speech, block by block."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from .beds import BED_RMS, Bed
from .signal import db_to_gain
from .timeline import Timeline

SPEECH_TO_BED_DB = 22.0
"""Bed level below the speech level while the voice speaks (default)."""
ACCESSIBLE_SPEECH_TO_BED_DB = 26.0
"""The least distance with --accessible (WCAG 1.4.7 asks 20 dB; 6 dB of margin)."""
MIN_SPEECH_TO_BED_DB = 16.0
"""The least distance --bed-level may bring the bed to (15 dB is the floor we promise)."""
BED_RISE_DB = 8.0
"""How much the bed rises in the silences."""
_FRAME_SECONDS = 0.01
_ANTICIPATE_SECONDS = 0.35
_SMOOTH_SECONDS = 0.3

BLOCK = 1 << 16
"""Frames per mixed block (1.5 s at 44.1 kHz)."""
LEVEL_BLOCK = 1 << 20
"""Samples of one sentence's speech summed at once when measuring its level (24 s at 44.1 kHz)."""
STEMS = ("mix", "voice", "bed")
"""What mix_blocks can produce: the mix, or either part alone at its place in the mix."""


@dataclass(frozen=True)
class BedLevel:
    """Where the bed sits: below the speech while speaking, and how far it rises between."""

    speech_to_bed_db: float = SPEECH_TO_BED_DB
    rise_db: float = BED_RISE_DB


def bed_level(offset_db: float = 0.0, accessible: bool = False) -> BedLevel:
    """The bed level for a --bed-level offset (dB, + is louder), kept clear of the voice."""
    floor = ACCESSIBLE_SPEECH_TO_BED_DB if accessible else MIN_SPEECH_TO_BED_DB
    return BedLevel(speech_to_bed_db=max(floor, SPEECH_TO_BED_DB - offset_db))


@dataclass
class MixStats:
    """Energies of the voice and of the bed inside the speech spans, summed while mixing."""

    voice: float = 0.0
    bed: float = 0.0
    frames: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def speech_to_background_db(self) -> float:
        """Voice level over bed level while the voice speaks, in dB."""
        if self.bed <= 0:
            return float("inf")
        return 10 * float(np.log10(self.voice / self.bed))


def speech_level(timeline: Timeline) -> float:
    """RMS of the foreground over the spans where speech plays (span by span, in blocks).

    A span up to LEVEL_BLOCK samples is summed whole; a longer one (a long sentence) in
    blocks of that size, so the memory it takes does not grow with the sentence.
    """
    energy, count = 0.0, 0
    for a, b in timeline.speech_spans:
        for start in range(a, b, LEVEL_BLOCK):
            piece = timeline.block(start, min(LEVEL_BLOCK, b - start)).astype(np.float64)
            energy += float(np.sum(piece**2))
        count += b - a
    return float(np.sqrt(energy / count)) if count else 0.0


def duck_frames(
    frames: int, spans: Sequence[tuple[int, int]], sample_rate: int, rise_db: float
) -> tuple[np.ndarray, int]:
    """Bed gain in dB per 10 ms hop (0 under speech, up to rise_db in silences), and the hop."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    hop = max(1, int(_FRAME_SECONDS * sample_rate))
    count = frames // hop + 2
    active = np.zeros(count)
    for a, b in spans:
        active[a // hop : b // hop + 1] = 1.0
    reach = int(_ANTICIPATE_SECONDS / _FRAME_SECONDS)
    held = maximum_filter1d(active, size=2 * reach + 1)
    smooth_size = int(_SMOOTH_SECONDS / _FRAME_SECONDS)
    smooth = uniform_filter1d(uniform_filter1d(held, smooth_size), smooth_size)
    smooth = np.where(active > 0, 1.0, smooth)
    return (1.0 - smooth) * rise_db, hop


def duck_curve(frames: int, spans: Sequence[tuple[int, int]], sample_rate: int,
               rise_db: float = BED_RISE_DB, start: int = 0, count: int | None = None
               ) -> np.ndarray:
    """Linear bed gain for samples [start, start+count): smooth attack and release."""
    gain_db, hop = duck_frames(frames, spans, sample_rate, rise_db)
    return _curve_slice(gain_db, hop, start, frames - start if count is None else count)


def _curve_slice(gain_db: np.ndarray, hop: int, start: int, count: int) -> np.ndarray:
    around = gain_db[start // hop : (start + count - 1) // hop + 2]  # the hops interpolated
    if count > 0 and around.min() == around.max():  # steady: under speech, deep in a silence
        return np.full(count, 10 ** (around[0] / 20), dtype=np.float32)
    centres = np.arange(len(gain_db)) * hop
    positions = np.arange(start, start + count)
    return (10 ** (np.interp(positions, centres, gain_db) / 20)).astype(np.float32)


def mix_blocks(
    timeline: Timeline,
    bed: Bed,
    seed: int,
    level: BedLevel = BedLevel(),  # noqa: B008 - frozen value
    marks: Sequence[float] = (),
    stem: str = "mix",
    stats: MixStats | None = None,
    block: int = BLOCK,
) -> Iterator[np.ndarray]:
    """Stereo blocks of the mix (or one stem): centred foreground plus the ducked bed."""
    rate, frames = timeline.sample_rate, timeline.frames
    voice_level = speech_level(timeline) or 0.05
    base = np.float32(voice_level * db_to_gain(-level.speech_to_bed_db) / BED_RMS)
    gain_db, hop = duck_frames(frames, timeline.speech_spans, rate, level.rise_db)
    spans = timeline.speech_spans
    beds = bed.blocks(frames, rate, seed, marks=marks, block=block)
    for start in range(0, frames, block):
        count = min(block, frames - start)
        voice = timeline.block(start, count) if stem != "bed" else np.zeros(count, np.float32)
        layer = next(beds) * (_curve_slice(gain_db, hop, start, count) * base)[:, None]
        if stats is not None:
            _accumulate(stats, voice, layer, spans, start, count)
        out = np.repeat(voice[:, None], 2, axis=1)
        if stem != "voice":
            out += layer
        yield out


def _accumulate(stats: MixStats, voice: np.ndarray, layer: np.ndarray,
                spans: Sequence[tuple[int, int]], start: int, count: int) -> None:
    """Add this block's voice and bed energy inside speech spans to the running sums."""
    first = max(0, bisect.bisect_right(spans, (start, start)) - 1)
    for a, b in spans[first:]:
        if a >= start + count:
            break
        lo, hi = max(a, start), min(b, start + count)
        if hi > lo:
            v = voice[lo - start : hi - start].astype(np.float64)
            g = layer[lo - start : hi - start].astype(np.float64)
            stats.voice += float(np.sum(v**2))
            stats.bed += float(np.mean(g**2, axis=1).sum())
            stats.frames += hi - lo
