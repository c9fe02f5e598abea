"""Start-up cost of the command line: `--help`, `script` with built-in words and with the
client's own words, each a fresh process; medians of N runs (default 5).

    python benchmarks/startup.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys

from processes import timed

COMMANDS = {
    "--help": ["--help"],
    "script, built-in words": ["script", "safe-place"],
    "script, own words": ["script", "compassionate-other", "--image", "the hills"],
}


def main(runs: int) -> None:
    """Print each command's median wall time and the load average beside it."""
    for label, args in COMMANDS.items():
        seconds = [timed([sys.executable, "-m", "cft_audio.cli", *args], quiet=True)[0]
                   for _ in range(runs)]
        print(f"{label:<24} median {statistics.median(seconds):.2f} s of {runs} "
              f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
