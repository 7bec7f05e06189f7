"""Dependencies (R39): known-bad versions are excluded, and the CI audit fails on a vulnerability but
only warns when it cannot reach a vulnerability service."""

import importlib.util
from importlib.metadata import version

from tests.conftest import ROOT


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_installed_versions_are_past_the_known_vulnerabilities():
    assert _version_tuple(version("starlette")) >= (1, 0, 1)  # PYSEC-2026-161: unvalidated Host
    assert _version_tuple(version("weasyprint")) >= (69, 0)  # CVE-2025-68616: URL fetch SSRF
    assert _version_tuple(version("python-multipart")) >= (0, 0, 18)  # CVE-2024-53981: form parsing DoS


def _audit_module():
    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_audit_fails_on_a_known_vulnerability(monkeypatch, capsys):
    audit = _audit_module()
    report = {"dependencies": [
        {"name": "starlette", "version": "0.1", "vulns": [{"id": "PYSEC-X", "fix_versions": ["1.0.1"]}]},
        {"name": "jinja2", "version": "3.1.6", "vulns": []},
    ]}
    monkeypatch.setattr(audit, "run_audit", lambda lock, service: report)
    assert audit.main(ROOT / "uv.lock") == 1
    assert "VULNERABLE starlette 0.1: PYSEC-X (fixed in: 1.0.1)" in capsys.readouterr().out


def test_the_audit_passes_when_nothing_is_known(monkeypatch, capsys):
    audit = _audit_module()
    report = {"dependencies": [{"name": "jinja2", "version": "3.1.6", "vulns": []}]}
    monkeypatch.setattr(audit, "run_audit", lambda lock, service: report)
    assert audit.main(ROOT / "uv.lock") == 0
    assert "no known vulnerabilities in 1 locked packages" in capsys.readouterr().out


def test_the_audit_warns_without_failing_when_no_service_answers(monkeypatch, capsys):
    audit = _audit_module()
    all_skipped = {"dependencies": [{"name": "jinja2", "skip_reason": "Dependency not found on PyPI"}]}
    answers = {"pypi": all_skipped, "osv": None}
    monkeypatch.setattr(audit, "run_audit", lambda lock, service: answers[service])
    assert audit.main(ROOT / "uv.lock") == 0
    assert "NOT audited" in capsys.readouterr().out
