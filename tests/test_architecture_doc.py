"""docs/architecture.md stays true: every module, folder and file it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
# A path in backticks or in the picture: app/..., templates/..., tests/..., migrations/...
NAMED = re.compile(r"(?<![\w./])((?:app|tests|templates|migrations)/[\w./<>-]*[\w/])")


def named_paths() -> list[str]:
    return sorted({match.rstrip("/.") for match in NAMED.findall(DOC.read_text()) if "<" not in match})


def test_the_page_names_the_rooms_it_describes():
    # A guard on the pattern: a page whose names it could not read would pass the next test trivially.
    expected = {"app/web/wizard.py", "app/questionnaire", "app/assessments.py", "app/reports/document.py"}
    assert expected <= set(named_paths())


def test_every_module_the_page_names_exists():
    missing = [name for name in named_paths() if not (ROOT / name).exists()]
    assert missing == []
