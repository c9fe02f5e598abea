"""Peak memory of the pydub pipeline the original design named, at 10 and 60 minutes.

Usage: python benchmarks/pydub_memory.py [--minutes 10 60] [--runs 3]
(`pip install -e '.[bench]'` first, for pydub.)

Each run is a fresh process that builds a track the pydub way from generated "speech"
(6-second tones, mono, 22.05 kHz, as Piper speaks) and silences, two thirds speech:
  - bare: join with `+`, overlay looped white noise 22 dB down in stereo, export MP3
    (what benchmarks/bare_peer.py does with the real voice);
  - mastered: the same at 44.1 kHz stereo (our output format), plus what whole-track
    mastering needs in that design: the track as a float array for pyloudnorm's
    integrated loudness and a gain, then export.
It prints each run's peak RSS (getrusage of the child) and the medians. Compare
benchmarks/long_track.py, which prints the same figure for cft-audio's streamed render.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import warnings

from processes import timed

SPEECH_SECONDS, PAUSE_SECONDS = 6.0, 3.0


def build(minutes: float, mastered: bool, output: str) -> None:
    """Make and export one track the pydub way (runs in the child process)."""
    import imageio_ffmpeg
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
        from pydub.generators import Sine, WhiteNoise
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    rate = 44100 if mastered else 22050
    clip = Sine(200, sample_rate=rate).to_audio_segment(SPEECH_SECONDS * 1000, volume=-12.0)
    pause = AudioSegment.silent(PAUSE_SECONDS * 1000, frame_rate=rate)
    track = AudioSegment.silent(1500, frame_rate=rate)
    while len(track) < minutes * 60_000:
        track += clip + pause
    loop = WhiteNoise(sample_rate=rate).to_audio_segment(duration=30_000, volume=-40.0)
    noise = AudioSegment.empty()
    while len(noise) < len(track):
        noise += loop
    noise = noise.apply_gain(track.dBFS - 22 - noise.dBFS)
    track = track.set_channels(2).overlay(noise.set_channels(2))
    if mastered:
        import pyloudnorm

        samples = np.array(track.get_array_of_samples(), dtype=np.float64).reshape(-1, 2)
        loudness = pyloudnorm.Meter(rate).integrated_loudness(samples / 32768.0)
        track = track.apply_gain(-16.0 - loudness)
    track.export(output, format="mp3", bitrate="128k")


def one_run(minutes: float, mastered: bool) -> float:
    """Peak RSS in MB of one fresh child process building the track."""
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "track.mp3")
        _, peak = timed([sys.executable, __file__, "--child", str(minutes),
                         "mastered" if mastered else "bare", output])
    return peak


def main() -> None:
    """Run each case and print its peak RSS per run and the median."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        build(float(sys.argv[2]), sys.argv[3] == "mastered", sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, nargs="+", default=[10.0, 60.0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    for minutes in options.minutes:
        for mastered in (False, True):
            peaks = [one_run(minutes, mastered) for _ in range(options.runs)]
            kind = "mastered, 44.1 kHz stereo" if mastered else "bare, 22.05 kHz"
            runs = ", ".join(f"{p:.0f}" for p in peaks)
            print(f"pydub {minutes:g} min, {kind}: peak RSS median "
                  f"{statistics.median(peaks):.0f} MB (runs: {runs})", flush=True)


if __name__ == "__main__":
    main()
