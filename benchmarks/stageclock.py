"""CPU seconds of one render by stage (speech, ahead, mix, master, encode), measured in-process.

Used by the benchmarks (stages.py, batch.py); the library itself is not changed. It
wraps, in this process only:

- `Speaker.speak` (pipeline/speech.py): the speech stage, CPU of the thread that speaks
  (synthesis, cache reads, resampling to the working rate); the CPU of the other
  threads meanwhile is `ahead` (the bed generated while the voice speaks, sound/ahead.py);
- `mix_blocks`: the mix stage, CPU of whichever thread pulls its blocks (beds included);
- the whole `Renderer.render`: the process's CPU less speech and mix is the master stage
  (profiling, limiter, meters, tags, sidecars); the CPU of child processes (ffmpeg)
  is the encode stage.

CPU seconds are what a loaded machine distorts least: wall times are printed beside them.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

STAGES = ("speech", "ahead", "mix", "master", "encode")


@dataclass
class StageTimes:
    """CPU seconds per stage of the last render, and its wall time."""

    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    wall: float = 0.0
    speech_wall: float = 0.0

    def line(self) -> str:
        """One line: CPU by stage, total, wall."""
        parts = " ".join(f"{s} {self.cpu[s]:5.1f}" for s in STAGES)
        after = self.wall - self.speech_wall
        return (f"CPU s: {parts}  total {sum(self.cpu.values()):5.1f} | wall {self.wall:5.1f} s "
                f"(speech {self.speech_wall:4.1f}, after speech {after:4.1f})")


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def install() -> StageTimes:
    """Patch the render stages so every render updates the returned StageTimes."""
    from cft_audio.pipeline import mix as mix_stage
    from cft_audio.pipeline import renderer as renderer_module
    from cft_audio.pipeline import speech as speech_stage

    times = StageTimes()
    lock = threading.Lock()
    original_render = renderer_module.Renderer.render
    original_speak = speech_stage.Speaker.speak
    original_mix = mix_stage.mix_blocks

    def speak(self, *args, **kwargs):
        cpu, own, wall = time.process_time(), time.thread_time(), time.perf_counter()
        try:
            return original_speak(self, *args, **kwargs)
        finally:
            spoken = time.thread_time() - own
            times.cpu["speech"] += spoken
            times.cpu["ahead"] += time.process_time() - cpu - spoken
            times.speech_wall += time.perf_counter() - wall

    def mix(*args, **kwargs) -> Iterator:
        blocks = original_mix(*args, **kwargs)
        while True:
            start = time.thread_time()
            try:
                block = next(blocks)
            except StopIteration:
                return
            finally:
                with lock:
                    times.cpu["mix"] += time.thread_time() - start
            yield block

    def render(self, *args, **kwargs):
        times.cpu.update(dict.fromkeys(STAGES, 0.0))
        times.speech_wall = 0.0
        cpu, children, wall = time.process_time(), _children(), time.perf_counter()
        result = original_render(self, *args, **kwargs)
        times.wall = time.perf_counter() - wall
        times.cpu["encode"] = _children() - children
        own = time.process_time() - cpu
        times.cpu["master"] = own - sum(times.cpu[s] for s in ("speech", "ahead", "mix"))
        return result

    renderer_module.Renderer.render, speech_stage.Speaker.speak = render, speak
    mix_stage.mix_blocks = mix
    return times
