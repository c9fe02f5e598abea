"""eSpeak NG formant speech engine: libespeak-ng from espeakng-loader, driven through ctypes.

eSpeak keeps its whole state in C globals, so one library is shared by every
engine in the process and used under a lock. Two pieces of that state would make
a sentence depend on what was spoken before it: the pitch-flutter phase, which
no call resets, and the breath-noise generator, seeded from the clock. So each
synthesis after the first reloads a private copy of the library (a few ms) and
seeds the generator from the settings: the same sentence with the same settings
is the same audio, in any process.
"""

from __future__ import annotations

import atexit
import ctypes
import math
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError
from .engine import EXPRESSIVENESS, PITCH, SPEED, SpeechClip, VoiceSettings, finish_clip
from .profiles import VoiceProfile

NORMAL_RATE_WPM = 175
"""eSpeak's own speaking rate (words per minute), used at length_scale 1."""
MIN_RATE_WPM, MAX_RATE_WPM = 80, 450
"""eSpeak's accepted rate range."""
NARROW_RANGE, WIDE_RANGE = 0.2, 1.8
"""Intonation range, relative to the voice's own, at expressiveness 0 and 1 (0.5 → 1)."""
CONTOUR_SHARE = 0.5
"""Typical height of eSpeak's intonation contour at its median over the voice's base pitch."""
RANGE_COMPENSATION = 0.3
"""eSpeak lowers the base pitch by this share of it per unit of range ratio above 1."""

_RETRIEVAL = 2  # AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns when the audio is out
_DONT_EXIT = 0x8000  # espeakINITIALIZE_DONT_EXIT: report bad data instead of exiting
_CHARS_UTF8, _POS_CHARACTER, _PHONEMES_IPA = 1, 1, 0x02
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4
_EXAMPLE_VOICES = ("en-gb", "en-us", "fr-fr", "de", "es")
_EXAMPLE_VARIANTS = ("f1", "f3", "m1", "m3", "klatt")

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _VoiceRecord(ctypes.Structure):
    """espeak_VOICE, as espeak_ListVoices returns and accepts it."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, NUL-terminated code) pairs, then 0
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class _Catalogue:
    """The installed voices: language code → voice file, variant name → variant file."""

    voices: dict[str, str]
    variants: dict[str, str]


class _Library:
    """One initialised copy of libespeak-ng and the samples its callback has collected."""

    def __init__(self, path: str, data_path: str):
        self.dll = ctypes.CDLL(path)
        _declare(self.dll)
        self.sample_rate = int(self.dll.espeak_Initialize(_RETRIEVAL, 0, data_path.encode(),
                                                          _DONT_EXIT))
        if self.sample_rate <= 0:
            self.close()
            raise EngineError(f"eSpeak NG could not read its data at {Path(data_path).name}")
        self.chunks: list[bytes] = []
        self.synthesised = False
        self._callback = _SynthCallback(self._collect)
        self.dll.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, _events: int | None) -> int:
        if count > 0 and wav:
            self.chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # go on

    def close(self) -> None:
        """Free eSpeak's memory and unload this copy, so a new one starts clean."""
        self.dll.espeak_Terminate()
        _unload(self.dll)


_LOCK = threading.Lock()
_LIBRARY: _Library | None = None
_CATALOGUE: _Catalogue | None = None
_PRIVATE_COPY: Path | None = None


def loader_version() -> str:
    """Version of the espeakng-loader package that ships libespeak-ng and its data."""
    try:
        return metadata.version("espeakng-loader")
    except metadata.PackageNotFoundError:
        return "missing"


def available_voices() -> list[str]:
    """Language codes eSpeak NG can speak (the names `espeak-ng -v` accepts), sorted."""
    with _LOCK:
        return sorted(_catalogue().voices)


def available_variants() -> list[str]:
    """Voice variants (the part after "+", e.g. f3), sorted."""
    with _LOCK:
        return sorted(_catalogue().variants.values(), key=str.lower)


def rate_wpm(length_scale: float) -> int:
    """eSpeak speaking rate for a duration multiplier, within eSpeak's range."""
    if length_scale <= 0:
        raise EngineError(f"length_scale must be positive, not {length_scale}")
    return min(MAX_RATE_WPM, max(MIN_RATE_WPM, round(NORMAL_RATE_WPM / length_scale)))


def range_ratio(expressiveness: float) -> float:
    """Intonation range relative to the voice's own: 0 narrow, 0.5 the voice's own, 1 wide."""
    e = min(1.0, max(0.0, expressiveness))
    return NARROW_RANGE + (WIDE_RANGE - NARROW_RANGE) * e


def pitch_and_range(semitones: float, expressiveness: float) -> tuple[int, int]:
    """eSpeak pitch and range (0-100, 50 the voice's own) moving the median F0 by `semitones`.

    eSpeak speaks F0 = base * a - C * (rho - 1) + rho * contour, where a scales the
    base by 2 ** ((pitch - 50) / 50) and rho = range / 50 scales the contour (in Hz)
    and lowers the base by C per unit. A shift by factor f scales the contour too
    (a transposition) and picks a so that the median lands on f times the voice's,
    with C and the contour's median height taken as typical shares of the base.
    """
    factor = 2.0 ** (semitones / 12.0)
    rho = min(2.0, max(0.0, factor * range_ratio(expressiveness)))
    scale = factor * (1 + CONTOUR_SHARE) - CONTOUR_SHARE * rho + RANGE_COMPENSATION * (rho - 1)
    pitch = 50 + 50 * math.log2(max(scale, 0.25))
    return min(100, max(0, round(pitch))), round(50 * rho)


def from_profile(profile: VoiceProfile, threads: int | None = None) -> EspeakEngine:
    """The eSpeak engine a voice profile names: its model is an eSpeak voice, its speaker a
    variant (eSpeak computes on one thread whatever `threads` says)."""
    return EspeakEngine(voice=profile.model, variant=profile.speaker)


@dataclass
class EspeakEngine:
    """An eSpeak NG voice (language code) with an optional variant such as f3."""

    voice: str = "en-gb"
    variant: str | None = None
    name: str = field(default="espeak", init=False)
    _spec: str | None = field(default=None, init=False, repr=False)

    def load(self) -> None:
        """Load the shared library and check the voice and variant exist (idempotent)."""
        if self._spec is not None:
            return
        with _LOCK:
            self._spec = _voice_spec(_catalogue(), self.voice, self.variant)

    def identity(self) -> str:
        """Engine, espeakng-loader version (library and data), voice and variant."""
        return ":".join(["espeak", loader_version(), self.voice.lower(), self.variant or "-"])

    def capabilities(self) -> frozenset[str]:
        """eSpeak sets rate, pitch and pitch range natively."""
        return frozenset({SPEED, PITCH, EXPRESSIVENESS})

    def synthesize(self, text: str, settings: VoiceSettings) -> SpeechClip:
        """Speak `text` with the settings mapped to eSpeak's rate, pitch and range; trimmed."""
        self.load()
        pitch, spread = pitch_and_range(settings.pitch_semitones, settings.expressiveness)
        parameters = {
            _PARAM_RATE: rate_wpm(settings.length_scale),
            _PARAM_PITCH: pitch,
            _PARAM_RANGE: spread,
        }
        with _LOCK:
            library = _fresh_library()
            self._select(library)
            samples = _speak(library, text, parameters, settings.seed)
        if not samples.size or not np.any(samples):
            raise EngineError(f"eSpeak produced no audio for {text[:40]!r}")
        return finish_clip(samples.astype(np.float32) / 32768.0, library.sample_rate)

    def phonemes(self, text: str) -> str:
        """The IPA eSpeak speaks for `text` in this voice, clauses joined by spaces."""
        self.load()
        with _LOCK:
            library = _library()
            self._select(library)
            return _text_to_phonemes(library, text)

    def _select(self, library: _Library) -> None:
        """Make this engine's voice the library's current one (caller holds the lock)."""
        if library.dll.espeak_SetVoiceByName(str(self._spec).encode()) != 0:
            raise EngineError(f"eSpeak could not load voice {self._spec}")


def _speak(library: _Library, text: str, parameters: dict[int, int], seed: int) -> np.ndarray:
    """Run espeak_Synth on `text` and return its int16 samples (caller holds the lock)."""
    dll = library.dll
    for parameter, value in parameters.items():
        dll.espeak_SetParameter(parameter, value, 0)
    dll.espeak_ng_SetRandSeed(seed & 0x7FFFFFFF)
    library.chunks.clear()
    library.synthesised = True
    encoded = text.encode("utf-8")
    status = dll.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                              None, None)
    if status != 0:
        raise EngineError(f"eSpeak failed on {text[:40]!r} (status {status})")
    samples = np.frombuffer(b"".join(library.chunks), dtype=np.int16)
    library.chunks.clear()
    return samples


def _text_to_phonemes(library: _Library, text: str) -> str:
    """Phonemise `text` clause by clause with espeak_TextToPhonemes (caller holds the lock)."""
    buffer = ctypes.create_string_buffer(text.encode("utf-8"))
    cursor = ctypes.c_void_p(ctypes.addressof(buffer))
    clauses = []
    while cursor.value:
        phonemes = library.dll.espeak_TextToPhonemes(ctypes.byref(cursor), _CHARS_UTF8,
                                                     _PHONEMES_IPA)
        if phonemes:
            clauses.append(phonemes.decode("utf-8").strip())
    return " ".join(c for c in clauses if c)


def _library() -> _Library:
    """The process's eSpeak library, loaded on first use (caller holds the lock)."""
    global _LIBRARY
    if _LIBRARY is None:
        try:
            import espeakng_loader
        except ImportError as error:
            raise EngineError("eSpeak needs the espeakng-loader package") from error
        try:
            _LIBRARY = _open_library(espeakng_loader.get_library_path(),
                                     espeakng_loader.get_data_path())
        except (OSError, RuntimeError) as error:
            raise EngineError(f"cannot load eSpeak NG: {error}") from error
    return _LIBRARY


def _open_library(path: str, data_path: str) -> _Library:
    """Load a private copy of the library; the loader's own if copies cannot run here."""
    try:
        return _Library(_private_copy(path), data_path)
    except OSError:  # e.g. a temporary folder mounted noexec
        return _Library(path, data_path)


def _fresh_library() -> _Library:
    """The library with its synthesis state as after loading (caller holds the lock)."""
    global _LIBRARY
    if _LIBRARY is not None and _LIBRARY.synthesised:
        _LIBRARY.close()
        _LIBRARY = None
    return _library()


def _private_copy(path: str) -> str:
    """A copy of the library only this module loads, so unloading it really resets it."""
    global _PRIVATE_COPY
    if _PRIVATE_COPY is None:
        folder = Path(tempfile.mkdtemp(prefix="cft-audio-espeak-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _PRIVATE_COPY = Path(shutil.copy2(path, folder / Path(path).name))
    return str(_PRIVATE_COPY)


def _unload(dll: ctypes.CDLL) -> None:
    """Close a shared library's handle (dlclose or FreeLibrary)."""
    import _ctypes

    close: Callable[[int], object] | None = getattr(_ctypes, "dlclose", None) or getattr(
        _ctypes, "FreeLibrary", None
    )
    if close is not None:
        close(dll._handle)


def _catalogue() -> _Catalogue:
    """The installed voices and variants, read once (caller holds the lock)."""
    global _CATALOGUE
    if _CATALOGUE is None:
        dll = _library().dll
        voices = _best_voice_per_language(_list_voices(dll, None))
        wanted = ctypes.create_string_buffer(b"variant")
        spec = _VoiceRecord(languages=ctypes.addressof(wanted))
        files = [identifier.rsplit("/", 1)[-1] for identifier, _ in _list_voices(dll, spec)]
        variants = {file.lower(): file for file in files}
        _CATALOGUE = _Catalogue(voices=voices, variants=variants)
    return _CATALOGUE


def _list_voices(
    dll: ctypes.CDLL, spec: _VoiceRecord | None
) -> list[tuple[str, list[tuple[int, str]]]]:
    """(identifier, [(priority, language code), ...]) for each voice espeak_ListVoices names."""
    records = dll.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
    found = []
    index = 0
    while records[index]:
        record = records[index].contents
        found.append((record.identifier.decode("utf-8"), _languages(record.languages)))
        index += 1
    return found


def _languages(address: int) -> list[tuple[int, str]]:
    """Decode espeak_VOICE.languages: (priority byte, NUL-terminated code) pairs, then 0."""
    pairs = []
    while address and (priority := ctypes.c_ubyte.from_address(address).value):
        code = ctypes.string_at(address + 1)
        pairs.append((priority, code.decode("utf-8").lower()))
        address += len(code) + 2
    return pairs


def _best_voice_per_language(voices: list[tuple[str, list[tuple[int, str]]]]) -> dict[str, str]:
    """Language code → the voice file that claims it with the best (lowest) priority."""
    best: dict[str, tuple[int, str]] = {}
    for identifier, languages in voices:
        for priority, code in languages:
            if code not in best or priority < best[code][0]:
                best[code] = (priority, identifier)
    return {code: identifier for code, (_, identifier) in best.items()}


def _voice_spec(catalogue: _Catalogue, voice: str, variant: str | None) -> str:
    """The name espeak_SetVoiceByName takes ("gmw/en+f3"), or EngineError if unknown."""
    identifier = catalogue.voices.get(voice.lower())
    if identifier is None:
        shown = ", ".join(v for v in _EXAMPLE_VOICES if v in catalogue.voices)
        raise EngineError(f"unknown eSpeak voice {voice!r} (examples: {shown}; "
                          f"{len(catalogue.voices)} in all)")
    if variant is None:
        return identifier
    variant_file = catalogue.variants.get(variant.lower())
    if variant_file is None:
        shown = ", ".join(v for v in _EXAMPLE_VARIANTS if v in catalogue.variants)
        raise EngineError(f"unknown eSpeak variant {variant!r} for voice {voice!r} "
                          f"(examples: {shown}; {len(catalogue.variants)} in all)")
    return f"{identifier}+{variant_file}"


def _declare(dll: ctypes.CDLL) -> None:
    """Argument and result types of the functions used (the C API of speak_lib.h)."""
    c_int, c_void_p, c_char_p = ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p
    dll.espeak_Initialize.argtypes = [c_int, c_int, c_char_p, c_int]
    dll.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    dll.espeak_SetVoiceByName.argtypes = [c_char_p]
    dll.espeak_SetParameter.argtypes = [c_int, c_int, c_int]
    dll.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    dll.espeak_Synth.argtypes = [c_char_p, ctypes.c_size_t, ctypes.c_uint, c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), c_void_p]
    dll.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(c_void_p), c_int, c_int]
    dll.espeak_TextToPhonemes.restype = c_char_p
    dll.espeak_ListVoices.argtypes = [ctypes.POINTER(_VoiceRecord)]
    dll.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceRecord))
