"""Command line: a thin click layer over the library; it alone prints and picks exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .batch.cli import batch
from .errors import CftAudioError, ExitCode, InvalidRequest, ScriptError, os_reason
from .limits import quoted
from .schema import FIELDS, Request, Spec, cli_name, request_message
from .web.cli import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cft-audio")
def cli() -> None:
    """Render personalised compassion-focused therapy (CFT) recordings, offline."""


def _option(spec: Spec):
    """The click argument or option a request field is on the command line."""
    if spec.argument:
        return click.argument(spec.name, metavar=spec.argument, required=False)
    names = [name for name in (spec.short, f"--{spec.key}", spec.name) if name]
    if spec.kind == "flag":
        return click.option(*names, is_flag=True, help=spec.help)
    if spec.kind == "multiple":
        return click.option(*names, multiple=True, metavar=spec.metavar, help=spec.help)
    kind = {"int": int, "float": float, "path": click.Path(path_type=Path)}.get(spec.kind)
    return click.option(*names, type=kind, default=spec.default, metavar=spec.metavar,
                        show_default=spec.show_default, help=spec.help)


def request_options(command: str):
    """Attach the options of every request field `command` takes, in the schema's order."""
    specs = [spec for spec in FIELDS if command in spec.commands]

    def attach(function):
        for spec in reversed(specs):
            function = _option(spec)(function)
        return function
    return attach


@cli.command()
@request_options("render")
@click.option("--no-cache", is_flag=True, help="Synthesise afresh; do not use the speech cache.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Report each stage, its timing and the "
              "measured loudness.")
def render(quiet: bool, verbose: bool, no_cache: bool, **fields: object) -> None:
    """Render EXERCISE (see `cft-audio exercises`) or --script to a finished audio file."""
    from .pipeline import RenderContext, Renderer
    from .progress import StageLog, TerminalProgress, combine

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    request = Request(**fields)  # type: ignore[arg-type]
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
    try:
        result = renderer.render(request)
    finally:
        if bar:
            bar.close()
    if verbose:
        err.write(
            f"{result.script.title} ({result.script.length} form), "
            f"{_clock(result.seconds)}, {result.loudness:.1f} LUFS, "
            f"true peak {result.true_peak:.1f} dBTP; {result.synthesised} of "
            f"{len(set(result.script.sentences))} sentences synthesised, the rest cached\n"
        )
    if not quiet:
        click.echo(str(result.path))


@cli.command()
@request_options("script")
def script(**fields: object) -> None:
    """Print the personalised script of EXERCISE (or --script) with timing marks; no audio."""
    from .pipeline import Renderer
    from .script.text import annotated

    request = Request(**fields)  # type: ignore[arg-type]
    preview = Renderer().preview(request)
    _warn(request)
    click.echo(f"{preview.script.title} ({preview.script.length} form), "
               f"estimated {_clock(preview.seconds)}{_pronoun_note(preview.script)}\n")
    click.echo(annotated(preview.script, preview.pauses), nl=False)


@cli.command()
def exercises() -> None:
    """List the exercises, one per line."""
    from .script.catalogue import EXERCISES

    for exercise in EXERCISES.values():
        click.echo(f"{exercise.id:<20} {exercise.title} - {exercise.description}")


@cli.group(invoke_without_command=True)
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
    from .voices.profiles import load_profiles

    bundled = voices_dir().resolve()
    for profile in load_profiles(RenderContext().voice_folders).values():
        details = ", ".join(x for x in (profile.accent, profile.gender) if x)
        origin = profile.origin or ("bundled" if profile.source.parent.resolve() == bundled
                                    else "your voice folder")
        click.echo(f"{profile.id:<16} {profile.engine:<7} {profile.language or '-':<6} "
                   f"{profile.name}" + (f" ({details})" if details else "")
                   + f" - {profile.description} [{origin}]")


@voices.command("preview")
@click.argument("voice")
@click.option("--tone", default="warm", show_default=True, help="warm, calm, gentle or bright.")
@click.option("--pace", default="slow", show_default=True, help="slow, moderate or brisk.")
@click.option("--name", default="", help="Say this name in the greeting, to check it.")
@click.option("--text", default=None, help="Say this instead of the sample sentences.")
@request_options("voices preview")
@click.option("--format", "fmt", default=None, help="mp3, m4a or wav. Default: mp3.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file or folder. Default: output/.")
@click.option("--no-cache", is_flag=True, help="Synthesise afresh; do not use the speech cache.")
def voices_preview(voice: str, fmt: str | None, text: str | None, no_cache: bool,
                   **fields: object) -> None:
    """Render a 10-second sample of VOICE with a tone and pace."""
    from .pipeline import RenderContext, Renderer

    context = RenderContext(cache=None) if no_cache else RenderContext()
    request = Request(exercise="compassionate-self", voice=voice, format=fmt,
                      **fields)  # type: ignore[arg-type]
    click.echo(str(Renderer(context).preview_voice(request, text=text)))


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
def analyse(file: Path) -> None:
    """Measure FILE: loudness, true peak, loudness range (and speech-to-background ratio)."""
    from .analyse import analyse_file, describe

    click.echo(describe(analyse_file(file)))


@cli.group()
def cache() -> None:
    """The speech cache: sentences already synthesised, reused by later renders."""


@cache.command("info")
def cache_info() -> None:
    """Where the speech cache is, how many sentences it holds and its size."""
    from .pipeline import RenderContext

    store = RenderContext().cache
    info = store.info() if store is not None else None
    if info is not None:
        click.echo(f"folder  {info.folder}\nentries {info.entries}\n"
                   f"size    {info.bytes / 1e6:.1f} MB of {info.limit / 1e6:.0f} MB")


@cache.command("clear")
def cache_clear() -> None:
    """Delete every cached sentence (they hold clients' names and words)."""
    from .pipeline import RenderContext

    store = RenderContext().cache
    removed = store.clear() if store is not None else 0
    click.echo(f"removed {removed} cached sentences")


cli.add_command(batch)  # group programme packs (cft_audio/batch)
cli.add_command(serve)  # the local web app (cft_audio/web)


def _warn(request) -> None:
    """Print the request's warnings (pressure words in a phrase) to stderr; nothing stops."""
    from .request import warnings

    for field, message in warnings(request):
        click.echo(f"cft-audio: warning: {cli_name(field)}: {message}",
                   err=True)


def _pronoun_note(script) -> str:
    """The image's pronoun, for the script header (so the therapist can see and change it)."""
    if not script.pronoun:
        return ""
    how = "inferred; --pronoun to change" if script.pronoun_inferred else "chosen"
    return f"; the image is {script.pronoun!r} ({how})"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(round(seconds % 60)):02d}"


def _detail(error: CftAudioError, argv: list[str] | None) -> None:
    """With -v/--verbose, a second line: the tool's own words (ffmpeg's) about the failure."""
    args = sys.argv[1:] if argv is None else argv
    if error.detail and ("-v" in args or "--verbose" in args):
        click.echo(f"cft-audio: detail: {' '.join(error.detail.split())}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one-line messages and exit codes (2 for usage errors)."""
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", None)
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
        click.echo(f"cft-audio: error: {error.format_message()}", err=True)
        return error.exit_code
    except InvalidRequest as error:
        click.echo(f"cft-audio: error: {request_message(error)}", err=True)
        _detail(error, argv)
        return ExitCode.USAGE
    except ScriptError as error:
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
