"""How quickly the web app lets go: Cancel on a render, and one Ctrl-C during a batch (median of N).

Usage: python benchmarks/web_stop.py [--runs 3]
Each run starts `cft-audio serve` (real voice) on a free loopback port with an empty output
folder and speech cache. It starts two renders, waits until both are speaking, queues a
third and times Cancel of the first until the third runs on the freed worker: once while
the workers still load their voice, once with it loaded (other words, so nothing is
cached); then it
uploads `examples/programme.yaml`, waits until the batch is speaking, sends one SIGINT and
times the exit. Each run also checks that no upload and no partial file is left.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAME = {"Sec-Fetch-Site": "same-origin"}
"""What a browser sends with the app's own form posts."""
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
RENDER = {"name": "Sam", "minutes": "10"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status(base: str, job: str) -> dict:
    with DIRECT.open(f"{base}/api/jobs/{job}", timeout=10) as answer:
        return json.loads(answer.read())


def post(base: str, path: str, body: bytes, kind: str) -> str:
    """POST as the app's own page would; the job id it leads to."""
    request = urllib.request.Request(base + path, data=body,
                                     headers={**SAME, "Content-Type": kind})
    with DIRECT.open(request, timeout=120) as answer:
        return answer.url.rstrip("/").rsplit("/", 1)[1]


def render(base: str, exercise: str, **changes: str) -> str:
    body = urllib.parse.urlencode({**RENDER, **changes}).encode()
    return post(base, f"/new/{exercise}", body, "application/x-www-form-urlencoded")


def cancel(base: str, job: str) -> None:
    post(base, f"/jobs/{job}/cancel", b"csrf=", "application/x-www-form-urlencoded")


def upload(base: str, manifest: Path) -> str:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nrun\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"manifest\"; "
            f"filename=\"{manifest.name}\"\r\n\r\n").encode() + manifest.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    return post(base, "/batch", body, f"multipart/form-data; boundary={boundary}")


def wait(base: str, job: str, test, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = status(base, job)
        if test(found):
            return found
        time.sleep(0.05)
    raise SystemExit(f"job {job} did not get there: {found}")


def leftovers(output: Path) -> list[str]:
    uploads = output / ".web" / "uploads"
    return [str(p) for p in output.rglob("*.part")] + \
        ([str(p) for p in uploads.iterdir()] if uploads.exists() else [])


def one_run(folder: Path) -> tuple[float, float, float]:
    """One server: seconds from Cancel to the next render running (a worker still loading
    its voice, then one with its voice loaded), and seconds one Ctrl-C took."""
    port, output = free_port(), folder / "output"
    env = {**os.environ, "CFT_AUDIO_CACHE": str(folder / "cache")}
    server = subprocess.Popen([sys.executable, "-m", "cft_audio.cli", "serve", "--port",
                               str(port), "-o", str(output)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                DIRECT.open(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        freed = []
        for changes in ({}, {"name": "Noor", "tone": "calm"}):  # cold workers, then warm
            first = render(base, "safe-place", **changes)
            second = render(base, "compassionate-self", **changes)
            for job in (first, second):
                wait(base, job, lambda s: s["stage"] == "speech")
            third = render(base, "soothing-breath", **changes)
            start = time.perf_counter()
            cancel(base, first)
            wait(base, third, lambda s: s["state"] == "running")
            freed.append(time.perf_counter() - start)
            for job in (second, third):
                cancel(base, job)
        batch = upload(base, ROOT / "examples" / "programme.yaml")
        wait(base, batch, lambda s: s["counts"].get("phase") == "speech")
        start = time.perf_counter()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        stopped = time.perf_counter() - start
    finally:
        if server.poll() is None:
            server.kill()
    left = leftovers(output)
    if left:
        raise SystemExit(f"left behind: {left}")
    return freed[0], freed[1], stopped


def main() -> None:
    """Run the benchmark and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cold, warm, stopped = [], [], []
    for index in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            one, two, three = one_run(Path(folder))
        cold.append(one)
        warm.append(two)
        stopped.append(three)
        print(f"run {index + 1}: cancel to next render running {one:.2f} s (worker loading "
              f"its voice), {two:.2f} s (voice loaded); Ctrl-C to exit {three:.2f} s")
    print(f"median: cancel frees a worker in {statistics.median(cold):.2f} s while it loads "
          f"its voice, {statistics.median(warm):.2f} s once loaded; one Ctrl-C stops in "
          f"{statistics.median(stopped):.2f} s")

if __name__ == "__main__":
    main()
