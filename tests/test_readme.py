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


def _examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every `$ ` line of the README's console blocks."""
    found = []
    for block in BLOCK_RE.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        command: str | None = None
        expected: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, expected))
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command is not None:
            found.append((command, expected))
    return found


EXAMPLES = _examples()


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_readme_shows_commands() -> None:
    assert len(EXAMPLES) >= 5
    assert any(cmd.startswith("copydesk scan examples") for cmd, _ in EXAMPLES)


@pytest.mark.parametrize("command,expected", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_command_prints_what_it_shows(
    command: str, expected: list[str], tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = dict(os.environ, COLUMNS="80", TERM="dumb", NO_COLOR="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", command + " 2>&1"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    assert _lines(done.stdout) == _lines("\n".join(expected))


def _run(command: str, where: Path) -> str:
    shutil.copytree(ROOT / "examples", where / "examples")
    env = dict(os.environ, COLUMNS="80", TERM="dumb", NO_COLOR="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", command + " 2>&1"], cwd=where, env=env, capture_output=True, text=True
    )
    return "\n".join(_lines(done.stdout))


def update_readme() -> None:
    """Rewrite the output under every `$ command` of the README with what it prints now."""
    import tempfile

    readme = ROOT / "README.md"

    def redo(block: re.Match[str]) -> str:
        out: list[str] = []
        for line in block.group(1).splitlines():
            if line.startswith("$ "):
                with tempfile.TemporaryDirectory() as tmp:
                    printed = _run(line[2:], Path(tmp))
                out.append(line)
                if printed:
                    out.append(printed)
        return "```console\n" + "\n".join(out) + "\n```"

    readme.write_text(BLOCK_RE.sub(redo, readme.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    # After a change of output: .venv/bin/python tests/test_readme.py, then read the diff.
    update_readme()
