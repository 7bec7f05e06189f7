"""A whole instance as JSON lines: `advisor export` and `advisor import`.

The same file moves a team from SQLite to PostgreSQL (or back) when it outgrows one host, and is a
database-neutral backup. One line per row, tables in foreign-key order; every table the migrations made is
included, so a table added later travels without a change here. Link tokens are not in the file (only
their nonces and hashes, as in the database): links keep working only where ADVISOR_SECRET_KEY is the same.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

from sqlalchemy import DateTime, LargeBinary, func, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table on SQLModel.metadata

FORMAT = "advisor-export"
FORMAT_VERSION = 1


class ImportRefused(Exception):
    """The file cannot be imported here; the message says why and what to do."""


def _tables():
    return SQLModel.metadata.sorted_tables  # parents before children


def _encode(value, column):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        # SQLite hands back naive datetimes for what was written in UTC; PostgreSQL aware ones. One form
        # in the file, so an export reads the same whichever database it came from.
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode()
    return value


def _decode(value, column):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _rows_of_workspace(table, workspace_id: str):
    """The rows of `table` that belong to one workspace, or None when the table holds no such rows."""
    assessment = SQLModel.metadata.tables["assessment"]
    if table.name == "workspace":
        return table.c.id == workspace_id
    if "workspace_id" in table.c:
        return table.c.workspace_id == workspace_id
    if "assessment_id" in table.c:
        its_assessments = select(assessment.c.id).where(assessment.c.workspace_id == workspace_id)
        return table.c.assessment_id.in_(its_assessments)
    return None


def export_lines(connection: Connection, *,
                 workspace_id: str | None = None) -> Iterator[tuple[str | None, str]]:
    """(table name, line): a header line (no table), then one line per row of every table, in foreign-key
    order, each table sorted by its primary key so two exports of the same data are identical. With
    `workspace_id`, only that workspace's rows (a person's request for their data)."""
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    yield None, json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "schema": revision})
    for table in _tables():
        order = list(table.primary_key.columns) or list(table.columns)
        query = select(table).order_by(*order)
        if workspace_id is not None:
            condition = _rows_of_workspace(table, workspace_id)
            if condition is None:
                continue
            query = query.where(condition)
        for row in connection.execute(query).mappings():
            values = {column.name: _encode(row[column.name], column) for column in table.columns}
            yield table.name, json.dumps({"table": table.name, "row": values}, sort_keys=True)


def write_export(connection: Connection, out: IO[str], *, workspace_id: str | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table, line in export_lines(connection, workspace_id=workspace_id):
        out.write(line + "\n")
        if table:
            counts[table] = counts.get(table, 0) + 1
    return counts


def import_lines(connection: Connection, lines: Iterable[str]) -> dict[str, int]:
    """Insert the rows of an export into this (migrated, empty) database, in one transaction."""
    iterator = iter(lines)
    header = _header(next(iterator, ""))
    here = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if header["schema"] != here:
        raise ImportRefused(f"the file has schema {header['schema']} but this database is at {here}: "
                            "run `advisor db upgrade` on both sides (same code version), then export again")
    tables = {table.name: table for table in _tables()}
    for table in tables.values():
        if connection.execute(select(func.count()).select_from(table)).scalar():
            raise ImportRefused(f"table {table.name} already holds rows: import into an empty database")
    counts: dict[str, int] = {}
    batch: dict[str, list[dict]] = {}
    for number, line in enumerate(iterator, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            table = tables[record["table"]]
            row = {column.name: _decode(record["row"].get(column.name), column) for column in table.columns}
        except (ValueError, KeyError, TypeError) as error:
            raise ImportRefused(f"line {number} is not a row of this app's export ({error})") from error
        batch.setdefault(table.name, []).append(row)
        counts[table.name] = counts.get(table.name, 0) + 1
    for table in _tables():  # parents first, whatever order the lines came in
        if batch.get(table.name):
            connection.execute(table.insert(), batch[table.name])
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection)
    return counts


def _header(line: str) -> dict:
    try:
        header = json.loads(line)
    except ValueError:
        header = {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ImportRefused("not an advisor export: the first line must be its header")
    if header.get("version") != FORMAT_VERSION:
        raise ImportRefused(f"export format {header.get('version')} is not {FORMAT_VERSION}")
    return header


def _reset_sequences(connection: Connection) -> None:
    # Rows came with their ids: move each serial's sequence past them, or the next insert collides.
    for table in _tables():
        for column in table.primary_key.columns:
            sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": table.name, "c": column.name}).scalar()
            if sequence:  # names come from our own schema, never from the file
                highest = connection.execute(select(func.max(column))).scalar() or 0
                connection.execute(text("SELECT setval(:s, :v, false)"), {"s": sequence, "v": highest + 1})


def delete_workspace(connection: Connection, workspace_id: str) -> dict[str, int]:
    """Remove a workspace and everything in it for good (a person's request), children first."""
    counts = {}
    for table in reversed(_tables()):
        condition = _rows_of_workspace(table, workspace_id)
        if condition is not None:
            counts[table.name] = connection.execute(table.delete().where(condition)).rowcount
    return counts
