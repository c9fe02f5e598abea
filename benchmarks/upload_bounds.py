"""Upload bounds of `cft-audio serve --token`: memory under no-token floods, and endless uploads.

Usage: python benchmarks/upload_bounds.py [--runs 3] [--clients 16] [--mb 70]

Each run starts `cft-audio serve --host 127.0.0.1 --token …` in a subprocess (loopback
only) with its own output and temp folders, then

1. sends CLIENTS concurrent chunked POSTs of MB megabytes each with no token (a render
   form with a background file, no Origin: the case that once made the CSRF check read
   up to 64 MB of each), and prints the server's extra peak memory (its peak RSS during
   the flood minus its RSS before; must stay under 20 MB);
2. sends one chunked upload that never ends, with the token and same-origin headers, and
   prints the seconds from the client having sent the upload's limit (50 MB of the
   background file) to the server's refusal (at most 5 s), the temp folder's contents
   afterwards (empty), whether anything was started or kept, and whether the server
   logged a traceback.

Every loop is bounded: a client stops at MB megabytes, the endless upload at 400 MB.
Figures are medians over the runs; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "benchmark-token-0123456789"
MB = 1024 * 1024
CHUNK = 64 * 1024
LIMIT = 50 * MB
"""The background upload's limit (cft_audio/web/uploads.py)."""
ENDLESS_CAP = 400 * MB
BOUNDARY = "benchboundary"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kb(pid: int, key: str) -> int:
    """A line of /proc/PID/status (VmRSS, VmHWM) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {key} for process {pid}")


def head(port: int, token: bool) -> bytes:
    """Request line and headers of a chunked multipart POST to the render form."""
    lines = ["POST /new/safe-place HTTP/1.1", f"Host: 127.0.0.1:{port}",
             f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
             "Transfer-Encoding: chunked"]
    if token:
        lines += [f"X-CFT-Token: {TOKEN}", "Sec-Fetch-Site: same-origin",
                  f"Origin: http://127.0.0.1:{port}"]
    form = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nSam\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="background-file"; '
            f'filename="rain.wav"\r\nContent-Type: audio/wav\r\n\r\n').encode()
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + chunk(form)


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class Upload:
    """One chunked upload on its own socket: sends until answered, refused or `total` bytes."""

    def __init__(self, port: int, token: bool, total: int):
        self.port, self.token, self.total = port, token, total
        self.sent = 0
        self.passed_limit: float | None = None
        self.answered: float | None = None
        self.status = ""

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            reader = threading.Thread(target=self._read, args=(sock,), daemon=True)
            sock.sendall(head(self.port, self.token))
            reader.start()
            block = chunk(bytes(CHUNK))
            try:
                while self.sent < self.total and self.answered is None:
                    sock.sendall(block)
                    self.sent += CHUNK
                    if self.passed_limit is None and self.sent > LIMIT:
                        self.passed_limit = time.perf_counter()
                if self.answered is None:
                    sock.sendall(b"0\r\n\r\n")
            except OSError:  # the server answered and closed the connection
                pass
            reader.join(timeout=30)

    def _read(self, sock: socket.socket) -> None:
        try:
            first = sock.recv(4096)
        except OSError:
            first = b""
        self.answered = time.perf_counter()
        self.status = first.split(b"\r\n", 1)[0].decode("latin-1", "replace")


def start(folder: Path) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    spool = folder / "tmp"
    spool.mkdir()
    log = folder / "server.log"
    env = {**os.environ, "TMPDIR": str(spool), "CFT_AUDIO_CACHE": str(folder / "cache")}
    server = subprocess.Popen(
        [sys.executable, "-m", "cft_audio.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--token", TOKEN, "-o", str(folder / "out")], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    for _ in range(300):
        try:
            DIRECT.open(f"http://127.0.0.1:{port}/static/app.css", timeout=2).read()
            return server, port, spool
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def flood(server: subprocess.Popen, port: int, clients: int, megabytes: int) -> tuple[float, str]:
    """Extra peak memory (MB) under `clients` no-token uploads at once; their answers."""
    DIRECT.open(f"http://127.0.0.1:{port}/static/app.css", timeout=5).read()  # warm
    Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset the peak (VmHWM)
    before = memory_kb(server.pid, "VmRSS")
    uploads = [Upload(port, False, megabytes * MB) for _ in range(clients)]
    threads = [threading.Thread(target=u.run) for u in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    extra = (memory_kb(server.pid, "VmHWM") - before) / 1024
    answers = sorted({u.status for u in uploads})
    sent = statistics.median(u.sent for u in uploads) / MB
    return extra, f"{', '.join(answers)}; median {sent:.1f} MB sent before the answer"


def endless(port: int) -> tuple[float, str]:
    """Seconds from passing the upload's limit to the server's answer; the answer."""
    upload = Upload(port, True, ENDLESS_CAP)
    upload.run()
    if upload.passed_limit is None or upload.answered is None or " 413 " not in upload.status:
        raise SystemExit(f"not refused after {upload.sent / MB:.0f} MB: {upload.status!r}")
    return upload.answered - upload.passed_limit, upload.status


def one_run(folder: Path, clients: int, megabytes: int) -> tuple[float, float]:
    server, port, spool = start(folder)
    try:
        extra, answers = flood(server, port, clients, megabytes)
        print(f"  {clients} no-token chunked POSTs of {megabytes} MB: extra peak memory "
              f"{extra:.1f} MB ({answers})")
        seconds, status = endless(port)
        time.sleep(0.5)  # let the server finish its cleanup before looking
        left = sorted(p.name for p in spool.iterdir())
        output = folder / "out"
        kept = [str(p.relative_to(output)) for p in output.rglob("*")
                if p.is_file() or ".web" not in p.relative_to(output).parts]  # renders too
        alive = DIRECT.open(f"http://127.0.0.1:{port}/static/app.css", timeout=5).status
        print(f"  endless upload: refused {seconds:.2f} s after passing the limit "
              f"({status}); temp folder after: {left}; files kept: {kept}; "
              f"server still answers: {alive}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    logged = (folder / "server.log").read_text(errors="replace")
    print(f"  traceback in the server log: {'yes' if 'Traceback' in logged else 'no'}")
    return extra, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--mb", type=int, default=70)
    args = parser.parse_args()
    extras, seconds = [], []
    for run in range(1, args.runs + 1):
        print(f"run {run} (load average {os.getloadavg()[0]:.2f})")
        with tempfile.TemporaryDirectory(prefix="cft-upload-bounds-") as folder:
            extra, refused = one_run(Path(folder), args.clients, args.mb)
        extras.append(extra)
        seconds.append(refused)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"median of {args.runs}: extra peak memory {statistics.median(extras):.1f} MB "
          f"(must be < 20); refused {statistics.median(seconds):.2f} s after the limit "
          f"(must be <= 5); load average {load}")


if __name__ == "__main__":
    main()
