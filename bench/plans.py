"""The SQL a page runs, and how the database plans it: queries per page, and full scans of big tables.

Pages are requested in-process (TestClient) on the benchmark's database while every statement is
recorded; each SELECT is then explained (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN). A plan line
that scans a table without an index is what a missing index looks like.
"""

import re
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from bench.servers import BENCH_SECRET

# SQLite: "SCAN assessment" (no index); "SCAN assessment USING INDEX ..." walks an index in order.
SQLITE_FULL_SCAN = re.compile(r"\bSCAN (\w+)(?! USING (?:COVERING )?INDEX)")
POSTGRES_FULL_SCAN = re.compile(r"Seq Scan on (\w+)")
BIG_TABLES = {"assessment", "revision", "sharelink"}


@dataclass
class PagePlan:
    path: str
    status: int
    statements: list[tuple[str, object]] = field(default_factory=list)
    plans: list[list[str]] = field(default_factory=list)

    @property
    def full_scans(self) -> list[str]:
        found = []
        for plan in self.plans:
            for line in plan:
                match = SQLITE_FULL_SCAN.search(line) or POSTGRES_FULL_SCAN.search(line)
                if match and match.group(1) in BIG_TABLES:
                    found.append(line.strip())
        return found


def _explain(engine: Engine, statement: str, parameters) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return [" ".join(str(value) for value in row[-1:]) for row in rows]


def page_plans(database_url: str, paths: list[str]) -> list[PagePlan]:
    settings = Settings(database_url=database_url, secret_key=BENCH_SECRET)
    app = create_app(settings)
    engine: Engine = app.state.engine
    current: list[PagePlan] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        if current:
            current[-1].statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    results = []
    try:
        with TestClient(app, base_url="http://127.0.0.1") as client:
            for path in paths:
                plan = PagePlan(path, 0)
                current.append(plan)
                plan.status = client.get(path).status_code
                current.clear()
                results.append(plan)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    for plan in results:
        plan.plans = [_explain(engine, sql, params) for sql, params in plan.statements
                      if sql.lstrip().upper().startswith("SELECT")]
    engine.dispose()
    return results


def report(plans: list[PagePlan]) -> str:
    lines = []
    for plan in plans:
        scans = plan.full_scans or "none"
        count = len(plan.statements)
        lines.append(f"GET {plan.path}: {plan.status}, {count} statements, full scans: {scans}")
        selects = [sql for sql, _params in plan.statements if sql.lstrip().upper().startswith("SELECT")]
        for sql, explained in zip(selects, plan.plans, strict=True):
            lines.append("  " + " ".join(sql.split())[:160])
            lines.extend("    " + line for line in explained)
    return "\n".join(lines)
