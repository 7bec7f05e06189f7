"""Vendored front-end files are exactly the pinned releases, and nothing is fetched from elsewhere."""

import hashlib
import re

from tests.conftest import ROOT

VENDORED = ROOT / "static" / "vendor"


def _recorded_hashes() -> dict[str, str]:
    rows = re.findall(r"\| ([\w./-]+) \| ([0-9a-f]{64}) \|", (VENDORED / "VENDORED.md").read_text())
    return dict(rows)


def test_every_vendored_file_matches_its_recorded_sha256():
    recorded = _recorded_hashes()
    files = [p for p in VENDORED.rglob("*") if p.is_file() and p.name != "VENDORED.md"]
    on_disk = {str(p.relative_to(VENDORED)) for p in files}
    assert set(recorded) == on_disk
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDORED / name).read_bytes()).hexdigest() == digest, name


def test_templates_load_nothing_from_another_origin():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), template
