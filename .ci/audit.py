"""Audit the locked dependencies with pip-audit (R39): fail on a known vulnerability, warn loudly
(without failing) when no vulnerability service can be reached, since then nothing was checked.

Usage: python .ci/audit.py RUNTIME_REQUIREMENTS (.ci/run exports it from uv.lock with `uv export --no-dev`)
pip-audit asks PyPI's JSON API, then OSV as a fallback; a mirror without the JSON API answers 404 for
every package, which pip-audit reports as "skipped", not as an error, so skips are counted here.
"""

import json
import subprocess
import sys
from pathlib import Path

SERVICES = ("pypi", "osv")
# Seconds one pip-audit run may take before we call the service unreachable.
TIMEOUT = 300


def run_audit(lock: Path, service: str) -> dict | None:
    """pip-audit's JSON report, or None if it could not produce one (network, service down)."""
    command = [sys.executable, "-m", "pip_audit", "-r", str(lock), "--require-hashes", "--disable-pip",
               "--progress-spinner", "off", "--format", "json", "--vulnerability-service", service]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)  # noqa: S603 - fixed argv
    except subprocess.TimeoutExpired:
        return None
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        return None


def main(lock: Path) -> int:
    for service in SERVICES:
        report = run_audit(lock, service)
        if report is None:
            continue
        dependencies = report["dependencies"]
        audited = [d for d in dependencies if "skip_reason" not in d]
        if not audited:
            continue
        vulnerable = [d for d in audited if d.get("vulns")]
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
        skipped = [d["name"] for d in dependencies if "skip_reason" in d]
        if skipped:
            print(f"WARNING: pip-audit could not check {len(skipped)} packages: {', '.join(skipped)}")
        if vulnerable:
            return 1
        print(f"pip-audit ({service}): no known vulnerabilities in {len(audited)} locked packages.")
        return 0
    print("WARNING: pip-audit could not reach a vulnerability service (PyPI JSON API, OSV): the "
          f"dependencies in {lock} were NOT audited. Run `.ci/audit.py {lock}` where the network allows.")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
