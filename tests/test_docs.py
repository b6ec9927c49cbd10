"""Documentation examples run: every ```python block of the pages below executes cleanly.

Blocks of one page run in order in one namespace (later blocks may use earlier names), in a
temporary working directory so that examples can write files freely.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")),
    "README.md",
]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each python example of the page runs without error."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = _BLOCK.findall(text)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{Path(page).stem}"}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{page}[python block {i + 1}]", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            pytest.fail(f"{page} python block {i + 1} failed: {exc!r}")


def test_every_capability_has_its_page() -> None:
    """The capability pages the README links to exist."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\(docs/([\w.-]+\.md)\)", readme):
        assert (ROOT / "docs" / link).is_file(), link
