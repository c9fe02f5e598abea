"""Command line: a thin click layer over the library; it alone prints and picks exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click

from . import __version__
from .batch.cli import batch
from .cli_options import Choice, Group, count, quiet_verbose, refuse_quiet_verbose
from .clock import clock
from .console import locale_note, undecodable, utf8_streams, utf8_text
from .errors import (
    ArgumentError,
    CftAudioError,
    ExitCode,
    InvalidRequest,
    PracticeLogError,
    ScriptError,
    os_reason,
)
from .limits import cut_values, quoted
from .practice_cli import practice
from .schema import (
    FIELDS,
    VOICE_SAMPLE_FIELDS,
    Request,
    Spec,
    VoiceSample,
    cli_name,
    parse_number,
    request_message,
)
from .web.cli import serve


@click.group(cls=Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cft-audio")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Render personalised compassion-focused therapy (CFT) recordings, offline."""
    if ctx.invoked_subcommand is None:  # bare `cft-audio`: the help, and success
        click.echo(ctx.get_help())


class _Number(click.ParamType):
    """A number field's option: its text parsed by the schema, which names the range if not."""

    name = "number"

    def __init__(self, spec: Spec):
        self.spec = spec
        self.name = "integer" if spec.kind == "int" else "float"

    def convert(self, value, param, ctx):
        """The number (a default passes through); raises InvalidRequest for other text."""
        return value if value is None or isinstance(value, (int, float)) else \
            parse_number(self.spec, value)


class _Text(click.ParamType):
    """Text typed on the command line, read as UTF-8 whatever the locale (see console)."""

    name = "text"

    def __init__(self, field: str):
        self.field = field

    def convert(self, value, param, ctx):
        """The text decoded as UTF-8; raises InvalidRequest if it holds other bytes."""
        if not isinstance(value, str):
            return value
        text = utf8_text(value)
        if undecodable(text):
            note = locale_note()
            raise InvalidRequest(self.field, f"{quoted(text)} is not UTF-8 text"
                                 + (f" (and {note})" if note else ""), "text typed in UTF-8")
        return text


def _option(spec: Spec):
    """The click argument or option a request field is on the command line."""
    if spec.argument:
        return click.argument(spec.name, metavar=spec.argument, required=False)
    names = [name for name in (spec.short, f"--{spec.key}", spec.name) if name]
    if spec.kind == "flag":
        return click.option(*names, is_flag=True, help=spec.help)
    text = None if spec.file_name else _Text(spec.key)
    choice = Choice(spec.choices) if spec.choices else None
    if spec.kind == "multiple":
        return click.option(*names, multiple=True, type=choice or text, metavar=spec.metavar,
                            help=spec.help)
    kind = choice or {"int": _Number(spec), "float": _Number(spec), "str": text,
                      "path": click.Path(path_type=Path)}.get(spec.kind)
    return click.option(*names, type=kind, default=spec.default, metavar=spec.metavar,
                        show_default=spec.show_default, help=spec.help)


def request_options(command: str):
    """Attach the options of every request field `command` takes, in the schema's order."""
    return field_options(spec for spec in FIELDS if command in spec.commands)


def field_options(declared: Iterable[Spec]):
    """Attach an argument or option for each declared field, in their order."""
    specs = list(declared)

    def attach(function):
        for spec in reversed(specs):
            function = _option(spec)(function)
        return function
    return attach


@cli.command()
@request_options("render")
@click.option("--no-cache", is_flag=True, help="Synthesise afresh; do not use the speech cache.")
@click.option("--force", is_flag=True, help="Replace an existing file named by -o.")
@quiet_verbose("Report each stage, its timing and the measured loudness.")
@click.pass_context
def render(ctx: click.Context, quiet: bool, verbose: bool, no_cache: bool, force: bool,
           **fields: object) -> None:
    """Render EXERCISE (see `cft-audio exercises`) or --script to a finished audio file."""
    from .pipeline import RenderContext, Renderer
    from .progress import StageLog, TerminalProgress, combine

    refuse_quiet_verbose(quiet, verbose)
    request = Request(**fields)  # type: ignore[arg-type]
    _refuse_output(request.output, force)
    _warn(request)
    err = sys.stderr
    reporters = []
    bar = TerminalProgress(err) if err.isatty() and not (quiet or verbose) else None
    if bar:
        reporters.append(bar)
    if verbose:
        reporters.append(StageLog(err))
    progress = combine(*reporters)
    context = RenderContext(progress=progress, keep_voices=False,
                            **({"cache": None} if no_cache else {}))
    renderer = Renderer(context)
    _every_problem(ctx, renderer, request)
    try:
        result = renderer.render(request)
    finally:
        if bar:
            bar.close()
    if verbose:
        err.write(
            f"{result.script.title} ({result.script.length} form), "
            f"{clock(result.seconds)}, {result.loudness:.1f} LUFS, "
            f"true peak {result.true_peak:.1f} dBTP; "
            f"{_spoken(result.synthesised, len(set(result.script.sentences)))}\n"
        )
    if not quiet:
        click.echo(str(result.path))


@cli.command()
@request_options("script")
@click.pass_context
def script(ctx: click.Context, **fields: object) -> None:
    """Print the personalised script of EXERCISE (or --script) with timing marks; no audio."""
    from .pipeline import Renderer
    from .script.text import annotated

    request = Request(**fields)  # type: ignore[arg-type]
    renderer = Renderer()
    _every_problem(ctx, renderer, request)
    preview = renderer.preview(request)
    _warn(request)
    click.echo(f"{preview.script.title} ({preview.script.length} form), "
               f"estimated {clock(preview.seconds)}{_pronoun_note(preview.script)}\n"
               f"{_reach(renderer, request)}\n")
    click.echo(annotated(preview.script, preview.pauses), nl=False)


@cli.command()
def exercises() -> None:
    """List the exercises, one per line, with the minutes each script form can reach."""
    from .pipeline import Renderer
    from .script.catalogue import EXERCISES

    renderer = Renderer()
    for exercise in EXERCISES.values():
        click.echo(f"{exercise.id:<20} {exercise.title} - {exercise.description} "
                   f"{_reach(renderer, Request(exercise.id))}")


def _reach(renderer, request: Request) -> str:
    """`--minutes 4 to 38 (short 4 to 16, standard 8 to 28, long 12 to 38)`, at the request's
    voice, tone and pace (the fitting code's own ranges)."""
    from dataclasses import replace

    from .pipeline.scripts import reach_words
    from .script.catalogue import LENGTHS

    forms = (request.length,) if request.length else LENGTHS
    each = [(form, renderer.reachable_minutes(replace(request, length=form))) for form in forms]
    reach = reach_words(*renderer.reachable_minutes(request))
    detail = ", ".join(f"{form} {reach_words(*found)}" for form, found in each)
    return f"[--minutes {reach}" + ("]" if request.length else f": {detail}]")


@cli.group(cls=Group, invoke_without_command=True)
@click.pass_context
def voices(ctx: click.Context) -> None:
    """List the voices, one per line starting with the voice id; or preview, add, install."""
    if ctx.invoked_subcommand is None:
        _list_voices()


@voices.command("list")
def voices_list() -> None:
    """List the voices, one per line, starting with the voice id."""
    _list_voices()


def _list_voices() -> None:
    from .pipeline import RenderContext
    from .resources import voices_dir
    from .voices.profiles import read_voices

    bundled = voices_dir().resolve()
    profiles, broken = read_voices(RenderContext().voice_folders)
    for profile in profiles.values():
        details = ", ".join(x for x in (profile.accent, profile.gender) if x)
        origin = profile.origin or ("bundled" if profile.source.parent.resolve() == bundled
                                    else "your voice folder")
        click.echo(f"{profile.id:<16} {profile.engine:<7} {profile.language or '-':<6} "
                   f"{profile.name}" + (f" ({details})" if details else "")
                   + f" - {profile.description} [{origin}]")
    for voice, reason in broken.items():
        click.echo(f"{voice:<16} {'broken':<7} {'-':<6} {reason}")


@voices.command("preview")
@field_options(VOICE_SAMPLE_FIELDS)
@click.option("--text", default=None, type=_Text("text"),
              help="Say this instead of the sample sentences.")
@click.option("--force", is_flag=True, help="Replace an existing file named by -o.")
@click.option("--no-cache", is_flag=True, help="Synthesise afresh; do not use the speech cache.")
@quiet_verbose()
def voices_preview(text: str | None, no_cache: bool, force: bool, quiet: bool, verbose: bool,
                   **fields: object) -> None:
    """Render a 10-second sample of VOICE (see `cft-audio voices`) with a tone and pace."""
    from .pipeline import RenderContext, Renderer

    refuse_quiet_verbose(quiet, verbose)
    context = RenderContext(cache=None) if no_cache else RenderContext()
    renderer = Renderer(context)
    sample = VoiceSample(**fields)  # type: ignore[arg-type]
    renderer.check_voice_sample(sample)
    _refuse_output(sample.output, force)
    path = renderer.preview_voice(sample, text=text)
    if not quiet:
        click.echo(str(path))


@voices.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--id", "voice_id", default=None,
              help="Voice id to use with --voice. Default: from the file name.")
def voices_add(path: Path, voice_id: str | None) -> None:
    """Register a voice file you have: a hibari .onnx, or a Piper one with its .onnx.json."""
    from .resources import user_voices_dir
    from .voices.adding import add_voice

    profile = add_voice(path, user_voices_dir(), voice_id)
    click.echo(f"added voice {profile.id} ({profile.language or 'unknown language'}); "
               f"use --voice {profile.id}")


@voices.command("install")
@click.argument("name")
def voices_install(name: str) -> None:
    """Download a voice: hibari's emma, fable, fenrir or kore, or a Piper NAME; needs internet."""
    from .resources import user_voices_dir
    from .voices.adding import install_voice

    profile = install_voice(name, user_voices_dir())
    click.echo(f"installed voice {profile.id}; use --voice {profile.id}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@quiet_verbose()
def analyse(file: Path, quiet: bool, verbose: bool) -> None:
    """Measure FILE: loudness, true peak, loudness range (and speech-to-background ratio)."""
    from .analyse import analyse_file, describe

    refuse_quiet_verbose(quiet, verbose)
    measured = describe(analyse_file(file))
    if not quiet:  # -q: the exit code alone says whether FILE could be measured
        click.echo(measured)


@cli.group(cls=Group)
def cache() -> None:
    """The speech cache: sentences already synthesised, reused by later renders."""


@cache.command("info")
@quiet_verbose()
def cache_info(quiet: bool, verbose: bool) -> None:
    """Where the speech cache and prepared voice models are, and their sizes."""
    from .files import folder_bytes
    from .pipeline import RenderContext
    from .resources import model_cache_dir

    refuse_quiet_verbose(quiet, verbose)
    store = RenderContext().cache
    info = store.info() if store is not None else None
    if info is not None and not quiet:
        models = model_cache_dir()
        click.echo(f"speech  {info.folder}\n        {info.entries} sentences, "
                   f"{binary_size(info.bytes)} of {binary_size(info.limit)}\n"
                   f"models  {models}\n        {binary_size(folder_bytes(models))} "
                   f"(voice models prepared once; kept by `cache clear`)")


@cache.command("clear")
@quiet_verbose()
def cache_clear(quiet: bool, verbose: bool) -> None:
    """Delete every cached sentence (they hold clients' names and words)."""
    from .pipeline import RenderContext

    refuse_quiet_verbose(quiet, verbose)
    store = RenderContext().cache
    removed = store.clear() if store is not None else 0
    if not quiet:
        click.echo(f"removed {count(removed, 'cached sentence')}")


def binary_size(size: int) -> str:
    """Bytes in MiB, or GiB from 1 GiB up (as the README gives the cache's limit)."""
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GiB"
    return f"{size / (1 << 20):.1f} MiB"


cli.add_command(batch)  # group programme packs (cft_audio/batch)
cli.add_command(serve)  # the local web app (cft_audio/web)
cli.add_command(practice)  # practice logs clients share (cft_audio/practice.py)


def _warn(request) -> None:
    """Print the request's warnings (pressure words in a phrase) to stderr; nothing stops."""
    from .request import warnings

    for field, message in warnings(request):
        click.echo(f"cft-audio: warning: {cli_name(field)}: {message}",
                   err=True)


def _refuse_output(output: Path | None, force: bool) -> None:
    """`-o -` (standard output) is refused, and so is an existing file unless --force."""
    if output is None:
        return
    if str(output) == "-":
        raise InvalidRequest("output", "'-' (standard output) is not supported: a track is "
                             "tagged and renamed into place", "a file or folder path")
    if Path(output).suffix and Path(output).is_file() and not force:
        raise InvalidRequest("output", f"{quoted(str(output))} already exists",
                             "a new file name, or --force to replace it")


def _every_problem(ctx: click.Context, renderer, request: Request) -> None:
    """Print every problem of the request, one line each, and exit 2 (as `batch` does)."""
    problems = renderer.problems(request)
    if len(problems) == 1:
        raise problems[0]
    for error in problems:
        click.echo(f"cft-audio: error: {request_message(error)}", err=True)
    if problems:
        ctx.exit(ExitCode.USAGE)


def _spoken(synthesised: int, sentences: int) -> str:
    """How many sentences the voice spoke and how many came from the speech cache."""
    if synthesised >= sentences:
        return f"all {count(sentences, 'sentence')} synthesised"
    if synthesised == 0:
        return f"all {count(sentences, 'sentence')} from the speech cache"
    return f"{synthesised} of {sentences} sentences synthesised, the rest from the speech cache"


def _pronoun_note(script) -> str:
    """The image's pronoun, for the script header (so the therapist can see and change it)."""
    if not script.pronoun:
        return ""
    how = "inferred; --pronoun to change" if script.pronoun_inferred else "chosen"
    return f"; the image is {script.pronoun!r} ({how})"


def _detail(error: CftAudioError, argv: list[str] | None) -> None:
    """With -v/--verbose, a second line: the tool's own words (ffmpeg's) about the failure."""
    args = sys.argv[1:] if argv is None else argv
    if error.detail and ("-v" in args or "--verbose" in args):
        click.echo(f"cft-audio: detail: {' '.join(error.detail.split())}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one-line messages and exit codes (2 for usage errors)."""
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", None)
    utf8_streams()
    try:
        code = cli.main(args=argv, prog_name="cft-audio", standalone_mode=False)
        if isinstance(code, int):  # ctx.exit(N) in a command (batch: 2, 1 or 130)
            return code
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.exceptions.Abort:
        click.echo("cft-audio: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as error:
        if no_args_help is not None and isinstance(error, no_args_help):
            click.echo(error.format_message(), err=True)
            return ExitCode.USAGE
        click.echo(f"cft-audio: error: {cut_values(error.format_message())}", err=True)
        return error.exit_code
    except InvalidRequest as error:
        click.echo(f"cft-audio: error: {request_message(error)}", err=True)
        _detail(error, argv)
        return ExitCode.USAGE
    except (ScriptError, PracticeLogError, ArgumentError) as error:
        click.echo(f"cft-audio: error: {error}", err=True)
        return ExitCode.USAGE
    except CftAudioError as error:
        click.echo(f"cft-audio: error: {error}", err=True)
        _detail(error, argv)
        return ExitCode.FAILURE
    except KeyboardInterrupt:
        click.echo("cft-audio: interrupted; nothing was written", err=True)
        return ExitCode.INTERRUPTED
    except OSError as error:  # a last resort: a path the system refused, in our words
        shown = quoted(str(error.filename)) if error.filename else "a file"
        click.echo(f"cft-audio: error: cannot use {shown}: {os_reason(error)}", err=True)
        return ExitCode.USAGE
    except MemoryError:  # a last resort: the limits should stop hostile input long before
        click.echo("cft-audio: error: out of memory; nothing was written", err=True)
        return ExitCode.FAILURE
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
