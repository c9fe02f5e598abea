"""What true-peak oversampling costs the master stage, with each gate, on a real 10-minute mix.

    python benchmarks/limiter.py [--runs 3] [--voice heart]

Makes the mix of the standard compassionate other (`--image tree`, about 10:24) once,
faded and scaled by its planned gain, and holds it in memory. Then, alternating, times
in CPU seconds of this thread:
- the limiter with the exact gate (`ceiling_envelope`, today's), with the earlier 6 dB
  gate (`peak_envelope` with the ceiling as floor) and oversampling every run;
- the other parts of the master stage on the same audio: the profile pass's meters
  (`plan_master`: K-weighted energies and per-hop true peaks) and the written track's
  meters (`TrackMeter`: loudness and true peak).
Prints the medians, the share of 256-sample runs each gate oversamples, and whether the
three limiters gave the same samples.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np

BASE = {"exercise": "compassionate-other", "image": "tree", "name": "Sam", "background": "ocean"}


def real_mix(voice: str) -> tuple[list[np.ndarray], float]:
    """The faded mix blocks of the 10-minute track and the gain its master plan found."""
    from cft_audio.pipeline import RenderContext, Renderer
    from cft_audio.pipeline.mix import Mix
    from cft_audio.request import Request
    from cft_audio.sound import RATE
    from cft_audio.sound.master import faded, plan_master

    renderer = Renderer(RenderContext(keep_voices=False))
    plan, timeline = renderer._placed(Request(**BASE, voice=voice), with_output=False)
    mix = Mix(plan, timeline)
    blocks = list(mix.blocks())
    frames = timeline.frames
    gain = plan_master(lambda: blocks, frames, RATE, plan.target_lufs, plan.channels).gain
    return [b * np.float32(gain) for b in faded(blocks, frames, RATE)], gain


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """CPU seconds of this thread for `work()`, and what it returned."""
    start = time.thread_time()
    result = work()
    return time.thread_time() - start, result


def main() -> None:
    """Time each limiter and meter alternately; print the medians and the shares."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--voice", default="heart")
    options = parser.parse_args()
    os.environ.setdefault("CFT_AUDIO_CACHE", tempfile.mkdtemp(prefix="cft-limiter-"))
    import cft_audio.sound.master as master
    from cft_audio.sound import RATE
    from cft_audio.sound.analysis import _runs_reaching, interpolation_gain, peak_envelope
    from cft_audio.sound.master import CEILING_DBTP, TrackMeter, limit_stream, plan_master
    from cft_audio.sound.signal import db_to_gain

    blocks, gain = real_mix(options.voice)
    frames, channels = sum(len(b) for b in blocks), blocks[0].shape[1]
    ceiling = db_to_gain(CEILING_DBTP)
    print(f"voice {options.voice}: {frames / RATE:.0f} s, gain {20 * np.log10(gain):.2f} dB; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    exact = master.ceiling_envelope
    gates = {
        "exact gate": exact,
        "6 dB gate": lambda seg, rate, c: peak_envelope(seg, rate, floor=c),
        "everywhere": lambda seg, rate, c: peak_envelope(seg, rate, floor=0.0),
        "no envelope": lambda seg, rate, c: np.abs(seg).max(axis=1),  # limiter's other work
    }

    def limiter(gate):
        def run():
            master.ceiling_envelope = gate
            try:
                return np.concatenate(list(limit_stream(iter(blocks), RATE)))
            finally:
                master.ceiling_envelope = exact
        return run

    def meters():
        meter = TrackMeter(RATE, channels)
        for _ in meter.through(iter(blocks)):
            pass
        return meter.measurement()

    work = {name: limiter(gate) for name, gate in gates.items()}
    work["profile pass (plan_master)"] = lambda: plan_master(lambda: blocks, frames, RATE)
    work["track meters (TrackMeter)"] = meters
    seconds: dict[str, list[float]] = {name: [] for name in work}
    reference = limiter(gates["everywhere"])()
    same: dict[str, bool] = {}
    for _ in range(options.runs):
        for name, job in work.items():
            spent, result = timed(job)
            seconds[name].append(spent)
            if name in ("exact gate", "6 dB gate"):
                same[name] = np.array_equal(reference, result)
            del result
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    for name, runs in seconds.items():
        print(f"{name:<28} median of {len(runs)}: {statistics.median(runs):5.2f} CPU s")
    peaks = np.concatenate([np.abs(b).max(axis=1) for b in blocks])
    runs_total = -(-len(peaks) // 256)
    exact_runs = len(_runs_reaching(peaks, ceiling / interpolation_gain()))
    starts = np.arange(0, len(peaks), 256)
    old_runs = int(np.sum(np.maximum.reduceat(peaks, starts) >= ceiling * 10 ** (-6 / 20)))
    print(f"runs oversampled: exact gate {exact_runs / runs_total:.1%}, 6 dB gate "
          f"{old_runs / runs_total:.1%} of {runs_total}")
    print(f"same samples as oversampling everywhere: {same}")


if __name__ == "__main__":
    main()
