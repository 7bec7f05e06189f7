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


def test_every_page_names_its_favicon_and_the_file_is_served(client):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_breadcrumbs_use_the_label_pico_styles_with_separators():
    # Pico matches nav[aria-label=breadcrumb] exactly: "Breadcrumb" would get no separators.
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert 'aria-label="Breadcrumb"' not in text, template
        for nav in re.findall(r'<nav aria-label="breadcrumb".*?</nav>', text, re.S):
            assert "<ul>" in nav and "<li" in nav, template  # Pico puts the separators between items
