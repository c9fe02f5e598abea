"""Export: streaming encode to five formats, native tags, chapters, atomic and private writes."""

from __future__ import annotations

import base64
import subprocess
import tempfile
import wave
from pathlib import Path

import mutagen
import numpy as np
import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE

from cft_audio.errors import ExportError, InvalidRequest
from cft_audio.export.cover import cover_png
from cft_audio.export.encode import (
    FORMATS,
    Format,
    encode_stream,
    ffmetadata,
    iter_blocks,
    plan_output,
)
from cft_audio.export.tags import Chapter, TrackInfo, chapters_from_marks
from cft_audio.ffmpeg import decode, ffmpeg_exe

RATE = 44100
SECONDS = 3.0
CHAPTERS = (Chapter(0.0, 1.2, "Arriving"), Chapter(1.2, 2.25, "The place; = here"),
            Chapter(2.25, SECONDS, "Returning"))
LYRICS = "Let your breath settle.\nNotice the ground beneath you."
COVER = cover_png("The Safe Place", "Group A")
INFO = TrackInfo(title="The Safe Place", artist="Dr Ada", album="Group A", genre="Meditation",
                 year=2025, track=3, comment="A calm place, for practice", lyrics=LYRICS,
                 cover=COVER, chapters=CHAPTERS)


def tone(seconds: float = SECONDS, channels: int = 2) -> np.ndarray:
    """A quiet test signal, a different pitch in each channel."""
    t = np.arange(int(seconds * RATE)) / RATE
    columns = [0.2 * np.sin(2 * np.pi * (330 + 110 * c) * t) for c in range(channels)]
    return np.stack(columns, axis=1).astype(np.float32)


def blocks(audio: np.ndarray, frames: int = 10_000):
    """The audio in uneven pieces, as the pipeline streams it."""
    yield from iter_blocks(audio, frames)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty system temp folder for this test alone (for ffmpeg too)."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def ffmpeg_report(path: Path) -> str:
    """What ffmpeg's prober prints about a file."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                            capture_output=True, check=False)
    return result.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The test tone encoded once in every format, each in its own folder."""
    files = {}
    for fmt in FORMATS:
        folder = tmp_path_factory.mktemp(fmt)
        files[fmt] = encode_stream(blocks(tone()), RATE, folder / f"track.{fmt}", fmt, INFO)
    return files


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_encodes_private_file_alone_with_right_length(encoded, fmt):
    path = encoded[fmt]
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(decode(path)) / RATE == pytest.approx(SECONDS, abs=0.03)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_ffmpeg_prober_sees_tags_and_chapters(encoded, fmt):
    report = ffmpeg_report(encoded[fmt]).lower()
    for value in ("the safe place", "dr ada", "group a"):
        assert value in report
    assert report.count("chapter #") == len(CHAPTERS)


def _frames_in_file_order(path: Path) -> list[tuple[str, bytes]]:
    """(frame id, body) of every frame of the file's leading ID3v2.4 tag, as stored."""
    def size(four: bytes) -> int:  # ID3v2.4 sizes: four 7-bit bytes
        return (four[0] << 21) | (four[1] << 14) | (four[2] << 7) | four[3]

    data = path.read_bytes()
    assert data[:3] == b"ID3" and data[3] == 4
    end, at, frames = 10 + size(data[6:10]), 10, []
    while at + 10 <= end and data[at] != 0:
        length = size(data[at + 4:at + 8])
        frames.append((data[at:at + 4].decode("ascii"), data[at + 10:at + 10 + length]))
        at += 10 + length
    return frames


def test_mp3_chapter_frames_are_stored_in_time_order(tmp_path):
    # titles that shrink as the track goes on: mutagen alone writes the shortest frame first
    titles = ["Arriving and settling in", "Finding the place", "The path", "Sounds",
              "Rest", "Back"]
    starts = [0.0, 0.4, 0.9, 1.5, 2.0, 2.6]
    chapters = tuple(Chapter(start, end, title) for start, end, title
                     in zip(starts, starts[1:] + [SECONDS], titles, strict=True))
    info = TrackInfo(title="The Safe Place", chapters=chapters, lyrics=LYRICS, cover=COVER)
    path = encode_stream(blocks(tone()), RATE, tmp_path / "track.mp3", "mp3", info)
    stored = [body for kind, body in _frames_in_file_order(path) if kind == "CHAP"]
    ids = [body[:body.index(b"\0")].decode() for body in stored]
    times = [int.from_bytes(body[len(i) + 1:len(i) + 5], "big")
             for i, body in zip(ids, stored, strict=True)]
    assert ids == [f"chp{n}" for n in range(1, 7)]
    assert times == [round(start * 1000) for start in starts]
    read = sorted(ID3(path).getall("CHAP"), key=lambda c: c.start_time)  # still a valid tag
    assert [str(c.sub_frames["TIT2"]) for c in read] == titles
    assert len(decode(path)) / RATE == pytest.approx(SECONDS, abs=0.03)  # audio untouched


def test_mp3_id3v24_tags_cover_lyrics_chapters(encoded):
    tags = ID3(encoded["mp3"])
    assert tags.version[:2] == (2, 4)
    assert MP3(encoded["mp3"]).tags is not None
    assert str(tags["TIT2"]) == "The Safe Place" and str(tags["TPE1"]) == "Dr Ada"
    assert str(tags["TALB"]) == "Group A" and str(tags["TCON"]) == "Meditation"
    assert str(tags["TRCK"]) == "3" and str(tags["TDRC"]) == "2025"
    assert tags.getall("COMM")[0].text == ["A calm place, for practice"]
    assert tags.getall("USLT")[0].text == LYRICS
    picture = tags.getall("APIC")[0]
    assert picture.type == 3 and picture.mime == "image/png" and picture.data == COVER
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == [c.title for c in CHAPTERS]
    for frame, chapter in zip(chapters, CHAPTERS, strict=True):
        assert abs(frame.start_time - chapter.start * 1000) <= 50
        assert abs(frame.end_time - chapter.end * 1000) <= 50
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == [c.element_id for c in chapters]


def test_m4a_atoms_cover_lyrics_chapters(encoded):
    audio = MP4(encoded["m4a"])
    tags = audio.tags
    assert tags["\xa9nam"] == ["The Safe Place"] and tags["\xa9ART"] == ["Dr Ada"]
    assert tags["\xa9alb"] == ["Group A"] and tags["\xa9gen"] == ["Meditation"]
    assert tags["\xa9day"] == ["2025"] and tags["trkn"] == [(3, 0)]
    assert tags["\xa9cmt"] == ["A calm place, for practice"] and tags["\xa9lyr"] == [LYRICS]
    (cover,) = tags["covr"]
    assert bytes(cover) == COVER and cover.imageformat == cover.FORMAT_PNG
    assert [c.title for c in audio.chapters] == [c.title for c in CHAPTERS]
    for read, chapter in zip(audio.chapters, CHAPTERS, strict=True):
        assert read.start == pytest.approx(chapter.start, abs=0.05)
    head = encoded["m4a"].read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # +faststart


@pytest.mark.parametrize("fmt", ["opus", "flac"])
def test_vorbis_comments_cover_lyrics_chapters(encoded, fmt):
    audio = OggOpus(encoded[fmt]) if fmt == "opus" else FLAC(encoded[fmt])
    tags = audio.tags
    expected = {"title": "The Safe Place", "artist": "Dr Ada", "album": "Group A",
                "genre": "Meditation", "date": "2025", "tracknumber": "3",
                "comment": "A calm place, for practice", "lyrics": LYRICS,
                "chapter001": "00:00:00.000", "chapter001name": "Arriving",
                "chapter002": "00:00:01.200", "chapter002name": "The place; = here",
                "chapter003": "00:00:02.250", "chapter003name": "Returning"}
    for key, value in expected.items():
        assert tags[key] == [value]
    if fmt == "opus":
        picture = Picture(base64.b64decode(tags["metadata_block_picture"][0]))
    else:
        (picture,) = audio.pictures
    assert picture.type == 3 and picture.mime == "image/png" and picture.data == COVER
    assert (picture.width, picture.height) == (600, 600)


def test_wav_id3_chunk(encoded):
    tags = WAVE(encoded["wav"]).tags
    assert str(tags["TIT2"]) == "The Safe Place" and str(tags["TPE1"]) == "Dr Ada"
    assert str(tags["TALB"]) == "Group A" and str(tags["TRCK"]) == "3"
    assert str(tags["TCON"]) == "Meditation" and str(tags["TDRC"]) == "2025"
    assert tags.getall("COMM")[0].text == ["A calm place, for practice"]
    assert tags.getall("USLT")[0].text == LYRICS


def test_wav_samples_are_exactly_rounded_16_bit(encoded):
    with wave.open(str(encoded["wav"])) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == \
            (2, 2, RATE)
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    expected = np.clip(np.round(tone() * np.float32(32767.0)), -32768, 32767).astype("<i2")
    assert np.array_equal(samples.reshape(-1, 2), expected)


def test_wav_clips_out_of_range_samples(tmp_path):
    loud = np.array([[1.5, -1.5], [1.0, -1.0], [0.5, -0.25]], dtype=np.float32)
    path = encode_stream([loud], RATE, tmp_path / "loud.wav", "wav", TrackInfo("Loud"))
    with wave.open(str(path)) as reader:
        samples = np.frombuffer(reader.readframes(3), dtype="<i2").reshape(-1, 2)
    assert samples.tolist() == [[32767, -32768], [32767, -32767], [16384, -8192]]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_same_input_gives_identical_bytes(tmp_path, fmt):
    first = encode_stream(blocks(tone(2.0)), RATE, tmp_path / f"a.{fmt}", fmt, INFO)
    second = encode_stream(blocks(tone(2.0), 7_000), RATE, tmp_path / f"b.{fmt}", fmt, INFO)
    assert first.read_bytes() == second.read_bytes()


def test_mono_and_minimal_info(tmp_path):
    path = encode_stream(blocks(tone(channels=1)[:, 0]), RATE, tmp_path / "mono.mp3", "mp3",
                         TrackInfo("Only a title"), channels=1)
    decoded = decode(path, channels=1)
    assert len(decoded) / RATE == pytest.approx(SECONDS, abs=0.06)
    assert mutagen.File(path, easy=True)["title"] == ["Only a title"]
    assert ", mono," in ffmpeg_report(path)


def raising_after(audio: np.ndarray, pieces: int, error: BaseException):
    """Yields `pieces` blocks, then raises."""
    for index, block in enumerate(iter_blocks(audio, 10_000)):
        if index == pieces:
            raise error
        yield block


@pytest.mark.parametrize("error", [RuntimeError("mixer broke"), KeyboardInterrupt()])
@pytest.mark.parametrize("fmt", ["m4a", "flac"])
def test_failing_source_leaves_nothing_behind(tmp_path, private_tmp, fmt, error):
    target = tmp_path / "out" / f"track.{fmt}"
    target.parent.mkdir()
    target.write_bytes(b"earlier result")
    with pytest.raises(type(error)):
        encode_stream(raising_after(tone(), 5, error), RATE, target, fmt, INFO)
    assert target.read_bytes() == b"earlier result"
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert list(private_tmp.iterdir()) == []


def test_encoder_failure_reports_ffmpeg_message(tmp_path, private_tmp, monkeypatch):
    monkeypatch.setitem(FORMATS, "mp3", Format("mp3", "mp3", "no_such_encoder"))
    with pytest.raises(ExportError, match="track.mp3 failed: the encoder stopped$") as caught:
        encode_stream(blocks(tone()), RATE, tmp_path / "track.mp3", "mp3", INFO)
    assert "Encoder not found" in caught.value.detail  # ffmpeg's own words: for -v only
    assert list(tmp_path.iterdir()) == [private_tmp]
    assert list(private_tmp.iterdir()) == []


def test_encoder_dying_mid_stream_is_reported(tmp_path, private_tmp, monkeypatch):
    fake = tmp_path / "fake-ffmpeg"
    fake.write_text("#!/bin/sh\nhead -c 100000 >/dev/null\necho 'first line' >&2\n"
                    "echo 'No space left on device' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr("cft_audio.export.encode.ffmpeg_exe", lambda: str(fake))
    with pytest.raises(ExportError, match="track.wav failed: the disk is full$") as caught:
        encode_stream(blocks(tone(10.0)), RATE, tmp_path / "out" / "track.wav", "wav", INFO)
    assert caught.value.detail == "No space left on device"
    assert list((tmp_path / "out").iterdir()) == []
    assert list(private_tmp.iterdir()) == []


def test_missing_ffmpeg_keeps_earlier_file(tmp_path, monkeypatch):
    target = tmp_path / "track.mp3"
    target.write_bytes(b"earlier result")
    monkeypatch.setattr("cft_audio.export.encode.ffmpeg_exe", lambda: str(tmp_path / "no-ffmpeg"))
    with pytest.raises(ExportError, match="track.mp3"):
        encode_stream(blocks(tone()), RATE, target, "mp3", INFO)
    assert target.read_bytes() == b"earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["track.mp3"]


def test_wrong_block_shape_and_empty_input_fail_cleanly(tmp_path):
    with pytest.raises(ValueError, match="expected"):
        encode_stream([tone(channels=1)], RATE, tmp_path / "a.wav", "wav", INFO)
    with pytest.raises(ExportError, match="no audio"):
        encode_stream([], RATE, tmp_path / "b.wav", "wav", INFO)
    assert list(tmp_path.iterdir()) == []


def test_m4a_chapter_metadata_is_escaped():
    text = ffmetadata([Chapter(0.0, 1.0005, "a=b;c#d\\e")])
    assert text.splitlines() == [";FFMETADATA1", "[CHAPTER]", "TIMEBASE=1/1000", "START=0",
                                 "END=1000", "title=a\\=b\\;c\\#d\\\\e"]


def test_chapters_from_marks_tile_the_track():
    chapters = chapters_from_marks([(12.0, "Two"), (1.5, "One")], 30.0)
    assert chapters == (Chapter(0.0, 12.0, "One"), Chapter(12.0, 30.0, "Two"))
    assert chapters_from_marks([], 30.0) == ()


def test_cover_must_be_an_image():
    with pytest.raises(InvalidRequest, match="cover"):
        TrackInfo("x", cover=b"not an image")
    with pytest.raises(ValueError):
        Chapter(2.0, 1.0, "backwards")


def test_auto_names_never_overwrite(tmp_path):
    first = plan_output(tmp_path, "safe-place-short", "mp3")
    first.write_bytes(b"x")
    second = plan_output(tmp_path, "safe-place-short", "mp3")
    assert first.name == "safe-place-short.mp3" and second.name == "safe-place-short-2.mp3"


def test_auto_names_avoid_other_renders_sidecars(tmp_path):
    (tmp_path / "safe-place-short.json").write_text("{}")
    chosen = plan_output(tmp_path, "safe-place-short", "opus", sidecars=("vtt", "json"))
    assert chosen.name == "safe-place-short-2.opus"
    assert plan_output(tmp_path, "safe-place-short", "opus").name == "safe-place-short.opus"


def test_unwritable_output_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidRequest, match="output"):
        plan_output(blocker / "sub", "safe-place-short", "mp3")


def test_format_follows_output_extension(fake_context, out_dir):
    from cft_audio import Renderer, Request

    script = out_dir.parent / "tiny.j2"
    script.write_text("Hello.\n[pause 3s]\nRest here.\n", encoding="utf-8")
    result = Renderer(fake_context).render(
        Request(script=script, output=out_dir / "mine.m4a", background="none")
    )
    assert result.path == out_dir / "mine.m4a"
    assert mutagen.File(result.path).mime[0] == "audio/mp4"


def test_album_artist_is_the_artist_as_one_value(encoded, tmp_path):
    # one value, never split at its comma (see README "Tags"); WAV and FLAC keep their pins
    assert ID3(encoded["mp3"]).getall("TPE2")[0].text == ["Dr Ada"]
    assert MP4(encoded["m4a"]).tags["aART"] == ["Dr Ada"]
    assert OggOpus(encoded["opus"]).tags["ALBUMARTIST"] == ["Dr Ada"]
    comma = TrackInfo(title="The Safe Place", artist="Dr Jo Byrne, Test Clinic")
    path = encode_stream(blocks(tone(0.5)), RATE, tmp_path / "track.mp3", "mp3", comma)
    tags = ID3(path)
    assert tags.getall("TPE1")[0].text == tags.getall("TPE2")[0].text == [comma.artist]
