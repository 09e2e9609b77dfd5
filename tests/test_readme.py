"""The README's examples are true: every `$ command` shown runs, and prints what is shown."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK_RE = re.compile(r"```console\n(.*?)```", re.DOTALL)


def _examples() -> list[list[tuple[str, list[str]]]]:
    """Each console block of the README: its `$ command`s with the output shown under each.
    The commands of one block run in order in one folder, so later ones may use earlier files."""
    blocks = []
    for block in BLOCK_RE.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        found: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
        if found:
            blocks.append(found)
    return blocks


EXAMPLES = _examples()


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_readme_shows_commands() -> None:
    commands = [cmd for block in EXAMPLES for cmd, _ in block]
    assert len(commands) >= 5
    assert any(cmd.startswith("copydesk scan examples") for cmd in commands)


@pytest.mark.parametrize("block", EXAMPLES, ids=[b[0][0] for b in EXAMPLES])
def test_readme_commands_print_what_they_show(
    block: list[tuple[str, list[str]]], tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for command, expected in block:
        printed, code = _run(command, tmp_path)
        assert code == 0, printed
        assert _lines(printed) == _lines("\n".join(expected)), command


def _run(command: str, where: Path) -> tuple[str, int]:
    env = dict(os.environ, COLUMNS="80", TERM="dumb", NO_COLOR="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", command + " 2>&1"],
        cwd=where, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return "\n".join(_lines(done.stdout)), done.returncode


def update_readme() -> None:
    """Rewrite the output under every `$ command` of the README with what it prints now."""
    import tempfile

    readme = ROOT / "README.md"

    def redo(block: re.Match[str]) -> str:
        out: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(ROOT / "examples", Path(tmp) / "examples")
            for line in block.group(1).splitlines():
                if line.startswith("$ "):
                    printed, _ = _run(line[2:], Path(tmp))
                    out.append(line)
                    if printed:
                        out.append(printed)
        return "```console\n" + "\n".join(out) + "\n```"

    readme.write_text(BLOCK_RE.sub(redo, readme.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    # After a change of output: .venv/bin/python tests/test_readme.py, then read the diff.
    update_readme()
