"""Where templates and static files live: beside app/ in a checkout, or in the install's share/."""

import sys
from functools import cache
from pathlib import Path

PACKAGE_NAME = "llm-customization-advisor"


@cache
def resource_dir(name: str) -> Path:
    candidates = (
        Path(__file__).resolve().parent.parent / name,  # a checkout or an editable install
        Path(sys.prefix) / "share" / PACKAGE_NAME / name,  # a wheel install (data-files)
    )
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name}/ folder; looked in {', '.join(map(str, candidates))}")
