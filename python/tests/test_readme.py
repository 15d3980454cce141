"""The README's `python` blocks run as written (from a copy of the checkout's layout)."""

import os
import re

from conftest import ROOT


def test_readme_python_blocks(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no python block"
    os.symlink(ROOT / "models", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "results.xlsx").exists()
