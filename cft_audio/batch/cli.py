"""`cft-audio batch`: render a group programme's packs from a manifest (thin click layer)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import click

from ..cli_options import count, quiet_verbose, refuse_quiet_verbose
from ..clock import clock
from ..errors import ExitCode
from ..limits import DEFAULT_JOBS

_PHASES = {"speech": "Speaking sentences", "render": "Rendering tracks"}


@click.command()
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output folder for the packs. Default: output/MANIFEST-NAME.")
@click.option("--participants", "participants_csv", type=click.Path(path_type=Path),
              default=None, help="A CSV of participants (header row: id,name,image,place,...), "
              "instead of the manifest's list.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=DEFAULT_JOBS,
              show_default=True, help="Worker processes on this machine.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Where tracks render: local processes, or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (with --executor dask), e.g. tcp://10.0.0.5:8786.")
@click.option("--name-files", is_flag=True,
              help="Put participants' names in folder and zip names (default: IDs only).")
@click.option("--check", "check_only", is_flag=True,
              help="Check the manifest and stop; render nothing.")
@quiet_verbose()
@click.pass_context
def batch(ctx: click.Context, manifest: Path, output: Path | None, participants_csv: Path | None,
          jobs: int, executor: str, scheduler: str | None, name_files: bool, check_only: bool,
          quiet: bool, verbose: bool) -> None:
    """Render a pack per participant from MANIFEST.yaml (see examples/programme.yaml)."""
    from ..pipeline import Renderer
    from .errors import BatchInterrupted, ManifestError
    from .plan import plan_batch
    from .runner import run_batch

    refuse_quiet_verbose(quiet, verbose)
    if (executor == "dask") != (scheduler is not None):
        raise click.UsageError("--executor dask and --scheduler ADDRESS go together")
    if output is not None and str(output) == "-":
        click.echo("cft-audio: error: --output: '-' (standard output) is not supported: "
                   "packs are folders of files (allowed: a folder path)", err=True)
        ctx.exit(ExitCode.USAGE)
    output = output or Path("output") / manifest.stem
    try:
        plan = plan_batch(manifest, output, Renderer(), participants_csv, name_files)
    except ManifestError as error:
        for line in error.lines():
            click.echo(f"cft-audio: error: {line}", err=True)
        ctx.exit(ExitCode.USAGE)
    if check_only:
        if not quiet:
            click.echo(f"{manifest.name}: ok, {count(len(plan.packs), 'participant')}, "
                       f"{count(len(plan.tracks), 'track')}")
        return
    pool = _executor(executor, scheduler, jobs)
    bar = BatchProgress(sys.stderr) if sys.stderr.isatty() and not quiet else None
    try:
        report = run_batch(plan, pool, bar or _quiet)
    except BatchInterrupted as stop:
        if bar:
            bar.close()
        click.echo(f"cft-audio: {stop}", err=True)
        ctx.exit(ExitCode.INTERRUPTED)
    if bar:
        bar.close()
    for status in report.failed:
        click.echo(f"cft-audio: error: {status.track.path.relative_to(plan.output)}: "
                   f"{status.error}", err=True)
    if not quiet:
        kept = sum(1 for s in report.statuses if s.state == "kept")
        click.echo(f"{count(len(report.statuses), 'track')} in "
                   f"{count(len(plan.packs), 'pack')}: "
                   f"{len(report.statuses) - kept - len(report.failed)} rendered, {kept} kept "
                   f"from an earlier run, {len(report.failed)} failed; {report.spoken} of "
                   f"{report.sentences} sentences spoken")
        click.echo(str(report.summary[1]))
    if report.failed:
        ctx.exit(ExitCode.FAILURE)


def _executor(kind: str, scheduler: str | None, jobs: int):
    if kind == "dask":
        from .dask_backend import DaskExecutor

        return DaskExecutor(scheduler)
    from .executors import LocalExecutor

    return LocalExecutor(jobs)


def _quiet(phase: str, done: int, total: int) -> None:
    """Report nothing (not a terminal, or --quiet)."""


@dataclass
class BatchProgress:
    """One redrawn status line per phase: label, count, bar, percentage and ETA."""

    stream: TextIO
    width: int = 24
    _phase: str = field(default="", init=False)
    _started: float = field(default=0.0, init=False)
    _last: str = field(default="", init=False)

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Show `done` of `total` in `phase`."""
        now = time.monotonic()
        if phase != self._phase:
            self.close()
            self._phase, self._started = phase, now
        fraction = done / total if total else 1.0
        filled = int(round(fraction * self.width))
        eta = ""
        if 0 < done < total:
            eta = f" ETA {clock((now - self._started) / done * (total - done))}"
        line = (f"\r{_PHASES.get(phase, phase):<19} {done:>4}/{total:<4} "
                f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction * 100:3.0f}%{eta}")
        if line != self._last:
            self.stream.write(line.ljust(len(self._last)))
            self.stream.flush()
            self._last = line

    def close(self) -> None:
        """End the current line."""
        if self._last:
            self.stream.write("\n")
            self.stream.flush()
            self._last = ""
