"""The engine is pure Python: importing it pulls in no web, database or template library."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "sqlmodel", "jinja2", "uvicorn", "alembic")
CHECK = f"""
import sys
import app.advisor, app.advisor.summary, app.advisor.costs, app.questionnaire
from app.advisor import recommend
recommend({{"labeled_examples": 100}})
loaded = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})
print(','.join(loaded))
"""


def test_engine_imports_no_web_or_database_module():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    assert result.stdout.strip() == ""
