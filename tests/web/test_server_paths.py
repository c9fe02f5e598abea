"""The web app takes no server path from a request: forms, previews and uploaded manifests.

Each path-typed field is sent server paths that exist (this repository's pyproject.toml,
/etc/passwd, a real sound file outside the output folder) and paths that do not. Each
field answers with one line, the same for every one of them, and no response holds a
byte of a server file.
"""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT, fake_client, noise_wav

pytestmark = pytest.mark.enable_socket  # TestClient's event loop needs a local socketpair

SAME = {"sec-fetch-site": "same-origin"}
FIELDS = ("background", "background-file", "script", "script-file", "lexicon",
          "lexicon-file", "cover", "cover-file")
"""Every path-typed input of the render form (the request fields and their uploads)."""


@pytest.fixture(scope="module")
def server_files(tmp_path_factory) -> list[str]:
    """Server paths: existing (text, a real sound, a folder) and missing, absolute and not."""
    folder = tmp_path_factory.mktemp("server-side")
    sound = noise_wav(folder / "secret-sound.wav", seed=3)
    return [str(ROOT / "pyproject.toml"), "/etc/passwd", str(sound), str(folder),
            "pyproject.toml", str(folder / "missing.wav"), "/etc/no-such-file",
            "../../pyproject.toml", "~/.bashrc"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paths")
    with fake_client(folder) as client:
        client.output = folder / "out"
        yield client


def _no_server_bytes(text: str) -> None:
    """No line of pyproject.toml or /etc/passwd, and no sound header, in a response."""
    secrets = [line for line in (ROOT / "pyproject.toml").read_text().splitlines()
               if len(line) > 12] + ["root:x:", "root:*:", "RIFF"]
    assert not [s for s in secrets if s in text]


def _problem(html: str, field: str) -> str:
    """The one problem shown beside `field` on the form page."""
    found = set(re.findall(rf'id="error-{re.escape(field)}"[^>]*>([^<]*)<', html))
    assert len(found) == 1, (field, found)
    return found.pop().strip()


def _only_one(lines: dict[str, str]) -> str:
    assert len(set(lines.values())) == 1, lines
    return next(iter(lines.values()))


@pytest.mark.parametrize("field", FIELDS)
def test_the_render_form_takes_no_server_path(client, server_files, field):
    shown = {}
    for path in server_files:
        answer = client.post("/new/safe-place", data={"name": "Sam", field: path}, headers=SAME)
        assert answer.status_code == 422, (field, path)
        _no_server_bytes(answer.text)
        shown[path] = _problem(answer.text, field if field.endswith("-file") or
                               field == "background" else f"{field}-file")
    line = _only_one(shown)
    assert "\n" not in line and "/" not in line.split("(")[0]
    assert not [p for p in client.output.rglob("*") if ".web" not in p.parts]  # nothing rendered


@pytest.mark.parametrize("field", FIELDS)
def test_the_live_preview_takes_no_server_path(client, server_files, field):
    shown = {}
    for path in server_files:
        answer = client.post("/api/preview/script", files={"name": (None, "Sam"),
                                                           field: (None, path)}, headers=SAME)
        body = answer.json()
        assert body["ok"] is False
        _no_server_bytes(answer.text)
        shown[path] = " | ".join(f"{k}: {v}" for k, v in sorted(body["errors"].items()))
    assert _only_one(shown).count(": ") >= 2


def test_the_background_sample_takes_no_server_path(client, server_files):
    shown = {}
    for path in server_files:
        answer = client.get("/api/preview/background", params={"background": path})
        assert answer.status_code == 422
        _no_server_bytes(answer.text)
        shown[path] = answer.json()["errors"]["background"]
    assert _only_one(shown).startswith("Background sound: not one of the listed backgrounds")


MANIFESTS = {
    "participants": "programme: {{title: G, weeks: 1}}\nexercises: [{{week: 1, exercise: "
                    "soothing-breath}}]\nparticipants: '{path}'\n",
    "defaults background": "programme: {{title: G, weeks: 1}}\ndefaults: {{background: '{path}'}}"
                           "\nexercises: [{{week: 1, exercise: soothing-breath}}]\n"
                           "participants: [{{id: p01, name: Sam}}]\n",
    "exercise background": "programme: {{title: G, weeks: 1}}\nexercises: [{{week: 1, exercise: "
                           "soothing-breath, background: '{path}'}}]\n"
                           "participants: [{{id: p01, name: Sam}}]\n",
    "participant background": "programme: {{title: G, weeks: 1}}\nexercises: [{{week: 1, "
                              "exercise: soothing-breath}}]\n"
                              "participants: [{{id: p01, name: Sam, background: '{path}'}}]\n",
    "exercise script": "programme: {{title: G, weeks: 1}}\nexercises: [{{week: 1, "
                       "script: '{path}'}}]\nparticipants: [{{id: p01, name: Sam}}]\n",
}


@pytest.mark.parametrize("where", list(MANIFESTS))
def test_an_uploaded_manifest_names_only_files_uploaded_with_it(client, server_files, where):
    shown = {}
    for path in server_files:
        manifest = MANIFESTS[where].format(path=path)
        answer = client.post("/batch", files={"manifest": ("group.yaml", manifest.encode()),
                                              "action": (None, "check")}, headers=SAME)
        assert answer.status_code == 422, (where, path, answer.text[:400])
        _no_server_bytes(answer.text)
        lines = re.search(r'id="batch-lines"[^>]*>(.*?)</', answer.text, re.S).group(1)
        shown[path] = lines.strip()
    line = _only_one(shown)
    assert line.count("\n") == 0 and "uploaded with the manifest" in line, line
    assert not list((client.output / ".web" / "uploads").glob("*"))  # nothing kept


def test_an_uploaded_participants_spreadsheet_is_used_by_its_own_upload(client):
    manifest = ("programme: {title: G, weeks: 1}\nexercises: [{week: 1, exercise: "
                "soothing-breath}]\nparticipants: /etc/passwd\n")
    answer = client.post("/batch", files={"manifest": ("group.yaml", manifest.encode()),
                                          "participants": ("people.csv", b"id,name\np01,Sam\n"),
                                          "action": (None, "check")}, headers=SAME)
    assert answer.status_code == 200
    assert "group.yaml: ok, 1 participant, 1 track" in answer.text


def test_templates_and_sounds_uploaded_with_a_manifest_are_found_by_their_upload_name(
        client, server_files, tmp_path):
    sound = noise_wav(tmp_path / "rain at home.wav").read_bytes()
    template = b"[bell]\nHello{% if name %}, {{ name }}{% endif %}.\n[pause long]\n[bell]\n"
    manifest = ("programme: {title: G, weeks: 1}\nexercises: [{week: 1, script: evening.j2, "
                "background: 'rain at home.wav'}]\nparticipants: [{id: p01, name: Sam}]\n")
    files = [("manifest", ("group.yaml", manifest.encode())), ("action", (None, "check")),
             ("files", ("evening.j2", template)), ("files", ("rain at home.wav", sound))]
    answer = client.post("/batch", files=files, headers=SAME)
    assert answer.status_code == 200, answer.text[:600]
    assert "group.yaml: ok, 1 participant, 1 track" in answer.text
    shown = {}
    for path in server_files:  # with uploads beside it, a server path is still one line
        named = manifest.replace("evening.j2", f"'{path}'")
        answer = client.post("/batch", files=[("manifest", ("group.yaml", named.encode())),
                                              *files[1:]], headers=SAME)
        assert answer.status_code == 422
        _no_server_bytes(answer.text)
        shown[path] = re.search(r'id="batch-lines"[^>]*>(.*?)</', answer.text, re.S).group(1)
    assert "a template uploaded with the manifest" in _only_one(shown)
    assert not list((client.output / ".web" / "uploads").glob("*"))
