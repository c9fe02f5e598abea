"""What the command line loads: help without NumPy or the pipeline; inflect imported without
typeguard's instrumentation yet answering as the checked import does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

WORDS = ["hill", "hills", "house", "mountains", "sheep", "child", "children", "owl", "geese",
         "Buddha", "kitchen", "waters", "woods", "grass", "mum and dad", "lakes", "stars"]
CHECKED = f"""
import json, inflect
e = inflect.engine()
words = {WORDS!r}
print(json.dumps([[e.plural_noun(w), e.singular_noun(w), e.plural_verb(w)] for w in words]))
"""


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout


@pytest.mark.parametrize("args", [["--help"], [], ["render", "--help"], ["script", "--help"],
                                  ["batch", "--help"], ["serve", "--help"]])
def test_help_imports_neither_numpy_nor_the_pipeline(args):
    code = ("import sys, contextlib, io\nfrom cft_audio.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    main({args!r})\n"
            "print(sorted(m for m in ('numpy', 'cft_audio.pipeline', 'inflect', 'starlette')"
            " if m in sys.modules))")
    assert _python(code).strip() == "[]"


def test_inflect_without_typeguard_answers_as_the_checked_import():
    ours = _python("import json\nfrom cft_audio.script.wording import _inflect\n"
                   f"e = _inflect()\nwords = {WORDS!r}\n"
                   "print(json.dumps([[e.plural_noun(w), e.singular_noun(w), e.plural_verb(w)]"
                   " for w in words]))")
    assert json.loads(ours) == json.loads(_python(CHECKED))


ORT_SESSION = """
import sys
if sys.argv[1] == "ours":
    import cft_audio  # noqa: F401
import numpy as np
import onnxruntime
from onnx import TensorProto, helper
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
session = onnxruntime.InferenceSession(model.SerializeToString(),
                                       providers=["CPUExecutionProvider"])
session.run(None, {"x": np.zeros(1, np.float32)})
"""
CI_MARKS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "TF_BUILD",
            "ORT_DISABLE_TELEMETRY")
"""Environment variables under which onnxruntime keeps quiet by itself (or our switch)."""


def _home_after_session(tmp_path, who: str) -> list[str]:
    home = tmp_path / who
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in CI_MARKS}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    subprocess.run([sys.executable, "-c", ORT_SESSION, who], env=env, check=True)
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


def test_onnxruntime_makes_no_device_id_once_cft_audio_is_imported(tmp_path):
    bare = _home_after_session(tmp_path, "bare")  # what onnxruntime alone leaves (1.32: an id)
    assert _home_after_session(tmp_path, "ours") == [], bare
