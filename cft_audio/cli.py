"""Command line: a thin click layer over the library; it alone prints and picks exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .batch.cli import batch
from .errors import CftAudioError, InvalidRequest, ScriptError, os_reason
from .limits import quoted
from .web.cli import serve

_FIELD_NAMES = {"exercise": "EXERCISE", "phrase": "--phrase", "detail": "--detail",
                "sidecar": "--sidecar", "file": "FILE",
                "quality": "--quality", "path": "PATH", "voice-name": "NAME"}
"""How a request field is named on the command line (default: --FIELD)."""

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cft-audio")
def cli() -> None:
    """Render personalised compassion-focused therapy (CFT) recordings, offline."""


_PERSONALISATION = (
    click.argument("exercise", metavar="EXERCISE", required=False),
    click.option("--script", "script_path", type=click.Path(path_type=Path), default=None,
                 help="Your own template (.j2) instead of EXERCISE; see scripts/README.md."),
    click.option("--name", default="", help="Client's first name (used sparingly). "
                 "Default: none."),
    click.option("--image", default="person", show_default=True,
                 help="Compassionate-other image: person, animal, tree, mountain, sea, light, "
                      "or the client's own words, starting with a/an/the/my or a capital "
                      "('my late father', 'Jesus')."),
    click.option("--place", default="beach", show_default=True,
                 help="Safe place: beach, forest, meadow, garden, room, lakeside, or the "
                      "client's own words (\"my nan's kitchen\", 'at the beach at Whitby')."),
    click.option("--pronoun", default=None,
                 help="he, she, they or it for the compassionate other's image. Default: "
                      "inferred from the words (see `cft-audio script`)."),
    click.option("--detail", "details", multiple=True,
                 help="A sensory detail of the safe place the client named (repeatable)."),
    click.option("--quality", "qualities", multiple=True,
                 help="A quality to dwell on: wisdom, strength, warmth, non-judgement "
                      "(repeatable)."),
    click.option("--phrase", "phrases", multiple=True,
                 help="The client's own compassionate phrase (repeatable)."),
    click.option("--gentle", is_flag=True,
                 help="Gentle variant: eyes open allowed, more reassurance, shorter silences."),
    click.option("--length", default=None,
                 help="Script form: short, standard, long. Default: chosen from --minutes, "
                      "else standard."),
    click.option("--minutes", type=float, default=None,
                 help="Target length in minutes (3 to 60); silences stretch or shrink to fit."),
    click.option("--voice", default="joe", show_default=True,
                 help="Voice id (see `cft-audio voices`)."),
    click.option("--tone", default="warm", show_default=True,
                 help="warm, calm, gentle or bright."),
    click.option("--pace", default="slow", show_default=True, help="slow, moderate or brisk."),
)


def _pronunciation_options(command):
    """Attach --say and --lexicon."""
    command = click.option(
        "--lexicon", type=click.Path(path_type=Path), default=None,
        help="YAML file of word: respelling lines, over your own lexicon.yaml.")(command)
    return click.option(
        "--say", "say", multiple=True, metavar="NAME=RESPELLING",
        help="Say a word as written here, e.g. --say \"Aoife=Eefa\" (repeatable).")(command)


def personalisation(command):
    """Attach the options shared by `render` and `script`."""
    for option in reversed(_PERSONALISATION):
        command = option(command)
    return command


def _request(exercise: str | None, script_path: Path | None, **fields: object):
    from .request import Request

    return Request(exercise=exercise, script=script_path, **fields)  # type: ignore[arg-type]


@cli.command()
@personalisation
@click.option("--background", default="ocean", show_default=True,
              help="rain, ocean, stream, wind, brown-noise, warm-drone, bowls, none, or the "
                   "path of your own audio file (looped).")
@click.option("--bed-level", type=float, default=0.0, show_default=True,
              help="Background level in dB relative to the default (-30 to 6); it always "
                   "stays at least 16 dB under the voice.")
@click.option("--accessible", is_flag=True,
              help="Keep the background at least 20 dB under the voice (WCAG 1.4.7).")
@click.option("--breath-tone", is_flag=True,
              help="A soft rising and falling tone that paces the breathing blocks.")
@click.option("--mono", is_flag=True, help="A mono file, mastered to -19 LUFS.")
@click.option("--format", "fmt", default=None,
              help="mp3, m4a, opus, flac or wav. Default: from the --output extension, "
                   "else mp3.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file, or folder for an automatically named file. Default: output/.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for the background sound (same seed, same bed).")
@click.option("--artist", default="cft-audio", show_default=True,
              help="Artist tag (therapist or clinic).")
@click.option("--album", default="Compassion-focused practice", show_default=True,
              help="Album tag (programme).")
@click.option("--track", type=int, default=None, help="Track number tag.")
@click.option("--year", type=int, default=None, help="Year tag. Default: this year.")
@click.option("--cover", type=click.Path(path_type=Path), default=None,
              help="Cover art (PNG or JPEG). Default: one drawn with the exercise title.")
@click.option("--sidecar", "sidecars", multiple=True,
              help="Also write beside the track: vtt (captions), txt (script), json (render "
                   "record). Repeatable.")
@_pronunciation_options
@click.option("--no-cache", is_flag=True, help="Synthesise afresh; do not use the speech cache.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Report each stage, its timing and the "
              "measured loudness.")
def render(fmt: str | None, quiet: bool, verbose: bool, no_cache: bool,
           **fields: object) -> None:
    """Render EXERCISE (see `cft-audio exercises`) or --script to a finished audio file."""
    from .pipeline import RenderContext, Renderer
    from .progress import StageLog, TerminalProgress, combine

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    request = _request(format=fmt, **fields)  # type: ignore[arg-type]
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
@personalisation
def script(**fields: object) -> None:
    """Print the personalised script of EXERCISE (or --script) with timing marks; no audio."""
    from .pipeline import Renderer
    from .script.text import annotated

    request = _request(**fields)  # type: ignore[arg-type]
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
    from .voices.profiles import load_profiles

    for profile in load_profiles(RenderContext().voice_folders).values():
        details = ", ".join(x for x in (profile.accent, profile.gender) if x)
        click.echo(f"{profile.id:<16} {profile.engine:<7} {profile.language or '-':<6} "
                   f"{profile.name}" + (f" ({details})" if details else "")
                   + f" - {profile.description}")


@voices.command("preview")
@click.argument("voice")
@click.option("--tone", default="warm", show_default=True, help="warm, calm, gentle or bright.")
@click.option("--pace", default="slow", show_default=True, help="slow, moderate or brisk.")
@click.option("--name", default="", help="Say this name in the greeting, to check it.")
@click.option("--text", default=None, help="Say this instead of the sample sentences.")
@_pronunciation_options
@click.option("--format", "fmt", default=None, help="mp3, m4a or wav. Default: mp3.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file or folder. Default: output/.")
@click.option("--no-cache", is_flag=True, help="Synthesise afresh; do not use the speech cache.")
def voices_preview(voice: str, fmt: str | None, text: str | None, no_cache: bool,
                   **fields: object) -> None:
    """Render a 10-second sample of VOICE with a tone and pace."""
    from .pipeline import RenderContext, Renderer

    context = RenderContext(cache=None) if no_cache else RenderContext()
    request = _request("compassionate-self", None, voice=voice, format=fmt,
                       **fields)  # type: ignore[arg-type]
    click.echo(str(Renderer(context).preview_voice(request, text=text)))


@voices.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--id", "voice_id", default=None,
              help="Voice id to use with --voice. Default: from the file name.")
def voices_add(path: Path, voice_id: str | None) -> None:
    """Register a Piper voice file you have (PATH.onnx with PATH.onnx.json beside it)."""
    from .resources import user_voices_dir
    from .voices.profiles import add_piper_voice

    profile = add_piper_voice(path, user_voices_dir(), voice_id)
    click.echo(f"added voice {profile.id} ({profile.language or 'unknown language'}); "
               f"use --voice {profile.id}")


@voices.command("install")
@click.argument("name")
def voices_install(name: str) -> None:
    """Download a Piper voice by NAME (e.g. en_GB-alba-medium); needs internet."""
    from .resources import user_voices_dir
    from .voices.profiles import install_piper_voice

    profile = install_piper_voice(name, user_voices_dir())
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
        click.echo(f"cft-audio: warning: {_FIELD_NAMES.get(field, '--' + field)}: {message}",
                   err=True)


def _pronoun_note(script) -> str:
    """The image's pronoun, for the script header (so the therapist can see and change it)."""
    if not script.pronoun:
        return ""
    how = "inferred; --pronoun to change" if script.pronoun_inferred else "chosen"
    return f"; the image is {script.pronoun!r} ({how})"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(round(seconds % 60)):02d}"


def _request_message(error: InvalidRequest) -> str:
    text = str(error)
    name = _FIELD_NAMES.get(error.field, f"--{error.field}")
    return name + text[len(error.field):] if text.startswith(error.field) else text


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
        return EXIT_INTERRUPTED
    except click.ClickException as error:
        if no_args_help is not None and isinstance(error, no_args_help):
            click.echo(error.format_message(), err=True)
            return EXIT_USAGE
        click.echo(f"cft-audio: error: {error.format_message()}", err=True)
        return error.exit_code
    except InvalidRequest as error:
        click.echo(f"cft-audio: error: {_request_message(error)}", err=True)
        _detail(error, argv)
        return EXIT_USAGE
    except ScriptError as error:
        click.echo(f"cft-audio: error: {error}", err=True)
        return EXIT_USAGE
    except CftAudioError as error:
        click.echo(f"cft-audio: error: {error}", err=True)
        _detail(error, argv)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("cft-audio: interrupted; nothing was written", err=True)
        return EXIT_INTERRUPTED
    except OSError as error:  # a last resort: a path the system refused, in our words
        shown = quoted(str(error.filename)) if error.filename else "a file"
        click.echo(f"cft-audio: error: cannot use {shown}: {os_reason(error)}", err=True)
        return EXIT_USAGE
    except MemoryError:  # a last resort: the limits should stop hostile input long before
        click.echo("cft-audio: error: out of memory; nothing was written", err=True)
        return EXIT_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
