"""The MP3 encoder's CPU against LAME's algorithm quality (ffmpeg's -compression_level).

    python benchmarks/encoder.py [--runs 3] [--levels default,5,7] [--voice heart]

Renders the standard compassionate other (`--image tree --name Sam`, about 10:24) once
to WAV, then encodes its float samples with cft-audio's MP3 options (VBR V4) at each
level, alternating, each a fresh ffmpeg. Prints per level the median CPU seconds of
ffmpeg, the file size, and on the decoded file: integrated loudness, true peak, the
error against the original (SNR, dB) and the level of the quietest 40% of 100 ms
segments (the bed between sentences) against the original's.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from cft_audio.ffmpeg import ffmpeg_exe
from cft_audio.pipeline import RenderContext, Renderer
from cft_audio.request import Request
from cft_audio.sound import RATE
from cft_audio.sound.analysis import integrated_loudness, true_peak_db

REQUEST = {"exercise": "compassionate-other", "image": "tree", "name": "Sam"}
SEGMENT = RATE // 10


def decoded(path: Path) -> np.ndarray:
    """A file's samples as float32 stereo at the working rate."""
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac",
                          "2", "-ar", str(RATE), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


def encode(source: Path, level: str, out: Path) -> float:
    """Encode raw float32 stereo to MP3 at `level`; ffmpeg's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    extra = [] if level == "default" else ["-compression_level", level]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-f", "f32le", "-ar", str(RATE),
                    "-ac", "2", "-i", str(source), "-map_metadata", "-1", "-c:a", "libmp3lame",
                    "-q:a", "4", *extra, "-fflags", "+bitexact", "-flags", "+bitexact",
                    "-f", "mp3", "-y", str(out)], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def segment_energy(audio: np.ndarray) -> np.ndarray:
    """Mean square of each whole 100 ms segment."""
    usable = len(audio) - len(audio) % SEGMENT
    return (audio[:usable].astype(np.float64) ** 2).sum(axis=1).reshape(-1, SEGMENT).mean(axis=1)


def quality(reference: np.ndarray, path: Path) -> str:
    """Loudness, true peak, SNR and the quiet segments' level of an encoded file."""
    audio = decoded(path)[: len(reference)]
    error = audio.astype(np.float64) - reference[: len(audio)]
    snr = 10 * np.log10(np.sum(reference.astype(np.float64) ** 2) / np.sum(error**2))
    ref_e, got_e = segment_energy(reference), segment_energy(audio)
    with np.errstate(divide="ignore"):
        levels = 10 * np.log10(ref_e)
    quiet = (ref_e > 0) & (levels < np.percentile(levels[ref_e > 0], 40))
    bed = 10 * np.log10(got_e[quiet].sum() / ref_e[quiet].sum())
    return (f"{integrated_loudness(audio, RATE):.3f} LUFS, true peak "
            f"{true_peak_db(audio, RATE):.2f} dBTP, SNR {snr:.1f} dB, quiet 40% {bed:+.3f} dB")


def main() -> None:
    """Render once, encode at each level --runs times, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--levels", default="default,5,7")
    parser.add_argument("--voice", default="heart")
    options = parser.parse_args()
    levels = options.levels.split(",")
    with tempfile.TemporaryDirectory(prefix="cft-encoder-") as temp:
        work = Path(temp)
        Renderer(RenderContext(cache=None)).render(
            Request(**REQUEST, voice=options.voice, format="wav", output=work / "track.wav"))
        reference = decoded(work / "track.wav")
        source = work / "track.f32"
        source.write_bytes(reference.astype("<f4").tobytes())
        print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
        cpu: dict[str, list[float]] = {level: [] for level in levels}
        for _ in range(options.runs):
            for level in levels:
                cpu[level].append(encode(source, level, work / f"{level}.mp3"))
        for level in levels:
            path = work / f"{level}.mp3"
            print(f"level {level:<8} CPU {statistics.median(cpu[level]):5.2f} s (median of "
                  f"{options.runs}), {path.stat().st_size / 1e6:5.2f} MB; "
                  f"{quality(reference, path)}", flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
