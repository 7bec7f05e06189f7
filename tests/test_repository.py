"""The repository stands on its own: no file reads anything beside the checkout (a user has no shared/
folder next to their clone), and its own copies of the contracts are the ones the tests use."""

import re
import subprocess

from tests.conftest import EXAMPLES, ROOT, SCHEMA_FILE

# A path that climbs out of the checkout to the guidance folder beside it, or to any sibling of the checkout.
OUTSIDE = re.compile(r"\.\./shared|parents?\[?\d*\]?\s*/\s*[\"']shared[\"']|ROOT\.parent\b")


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.splitlines() if not name.startswith("tests/vendor/")]


def test_no_tracked_file_reads_a_folder_beside_the_checkout():
    offenders = []
    for name in tracked_files():
        # Prose may cite where a file came from; code, data and scripts may not read it.
        if name == "tests/test_repository.py" or name.endswith(".md") or not (ROOT / name).is_file():
            continue
        try:
            text = (ROOT / name).read_text()
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, offenders


def test_the_pattern_catches_the_ways_a_file_once_reached_shared():
    # The three forms the code once used, assembled here so this file does not itself read as one of them.
    folder = "sha" + "red"
    for line in (f'SIBLING = ROOT.parent / "{folder}"', f'Path(__file__).resolve().parents[3] / "{folder}"',
                 f"open('../{folder}/examples/x.json')"):
        assert OUTSIDE.search(line), line


def test_the_repository_keeps_its_own_schema_and_examples():
    assert SCHEMA_FILE.is_file()
    assert len(list(EXAMPLES.glob("*.json"))) >= 6
