"""advisor serve | recommend | check --deploy | db upgrade | db current | db downgrade | db backup |
purge | export | import | workspace, and --version: thin wrappers over the app's modules."""

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from pydantic import ValidationError

from app.links import looks_like_token

# Exit code for bad input, as argparse uses for bad arguments.
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="advisor", description="LLM Customization Advisor")
    parser.add_argument("--version", action=_PrintVersion, nargs=0, help="show the versions and exit")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="upgrade the database, then serve the web app")
    serve.add_argument("--no-migrate", action="store_true",
                       help="do not upgrade the database (a one-shot `advisor db upgrade` did); refuse to "
                       "start if it is not at the newest schema")
    serve.add_argument("--host", help="interface to listen on (default: ADVISOR_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: ADVISOR_PORT or 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default: ADVISOR_WORKERS or 1)")

    rec = commands.add_parser("recommend", help="print the recommendation for an answers file")
    rec.add_argument("file", help="answers JSON file (answers-v2; v1 files stay valid), or - for stdin")
    rec.add_argument("--format", choices=("json", "text"), default="json")

    check = commands.add_parser("check", help="check the settings")
    check.add_argument("--deploy", action="store_true", required=True,
                       help="refuse settings that are unsafe for a public deployment")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the migrations up to the newest")
    db_commands.add_parser("current", help="print the database's schema revision and the newest one")
    downgrade = db_commands.add_parser("downgrade", help="undo migrations down to REVISION (to roll back)")
    downgrade.add_argument("revision", help="an Alembic revision id, or -1 for one step")
    backup = db_commands.add_parser("backup", help="write a consistent copy of the SQLite database")
    backup.add_argument("path", type=Path)

    workspace = commands.add_parser("workspace", help="one workspace, on its owner's request")
    workspace_commands = workspace.add_subparsers(dest="workspace_command", required=True)
    ws_export = workspace_commands.add_parser("export", help="write one workspace's data as JSON lines")
    ws_export.add_argument("link", help="the workspace link (or its token)")
    ws_export.add_argument("file", help="where to write, or - for standard output")
    ws_delete = workspace_commands.add_parser("delete", help="delete a workspace and all in it, for good")
    ws_delete.add_argument("link", help="the workspace link (or its token)")
    ws_delete.add_argument("--yes", action="store_true", help="really delete (without it: say what would go)")

    purge = commands.add_parser("purge", help="delete for good what is past ADVISOR_RETENTION_DAYS "
                                "(deleted assessments) and stale idempotency keys")
    purge.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")

    export = commands.add_parser("export", help="write the whole instance as JSON lines (any database)")
    export.add_argument("file", help="where to write, or - for standard output")
    load = commands.add_parser("import", help="load an export into an empty database (SQLite <-> PostgreSQL)")
    load.add_argument("file", help="an export file, or - for standard input")

    args = parser.parse_args(_tokens_as_paths(sys.argv[1:] if argv is None else argv))
    if args.command == "serve":
        return _serve(args)
    if args.command == "recommend":
        return _recommend(args)
    if args.command == "check":
        return _check_deploy()
    if args.command == "workspace":
        return _workspace(args)
    if args.command == "purge":
        return _purge(args.dry_run)
    if args.command == "export":
        return _export(args.file)
    if args.command == "import":
        return _import(args.file)
    if args.db_command == "upgrade":
        return _db_upgrade()
    if args.db_command == "current":
        return _db_current()
    if args.db_command == "downgrade":
        return _db_downgrade(args.revision)
    return _db_backup(args.path)


class _PrintVersion(argparse.Action):
    """--version, worked out only when asked: it imports the engine (about 0.3 s), which other commands
    such as `db backup` do not need."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version())  # to standard output, as argparse's own "version" action does
        parser.exit()


def _version() -> str:
    """advisor, engine and questionnaire versions: what a bug report or a deployment check needs."""
    from importlib.metadata import PackageNotFoundError, version

    from app.advisor.recommend import ENGINE_VERSION
    from app.questionnaire import QUESTIONNAIRE_VERSION

    try:
        package = version("llm-customization-advisor")
    except PackageNotFoundError:  # run from a checkout that was never installed
        package = "unknown"
    return f"advisor {package} (engine {ENGINE_VERSION}, questionnaire {QUESTIONNAIRE_VERSION})"


def _unreachable(settings, error) -> int:
    print(f"advisor: cannot reach the database {_describe(settings.database_url)}: {error}", file=sys.stderr)
    return 1


def _wait_seconds(settings) -> float:
    """How long to wait for the database at start: a PostgreSQL server may still be starting; a SQLite file
    that cannot be opened will not open by waiting."""
    return 0 if settings.is_sqlite else settings.db_wait_seconds


def _settings():
    from app.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "ADVISOR_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"advisor: {name}: {error['msg']}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def _serve(args) -> int:
    import uvicorn

    from app import migrate
    from app.logs import log_config
    from app.questionnaire import QuestionnaireError, load_questionnaire

    chosen = {key: getattr(args, key) for key in ("host", "port", "workers")}
    overrides = {key: value for key, value in chosen.items() if value is not None}
    # The app factory (in each worker process) reads its settings from the environment: put the
    # command-line choices there, so links and the allowed hosts follow --host and --port.
    os.environ.update({f"ADVISOR_{key.upper()}": str(value) for key, value in overrides.items()})
    settings = _settings()
    settings.secret  # noqa: B018 - create the secret file once, before workers start
    metrics_dir = _metrics_across_workers(settings)
    try:
        load_questionnaire()
    except QuestionnaireError as error:
        print(f"advisor: the questionnaire is broken: {error}", file=sys.stderr)
        return 1
    try:
        if args.no_migrate:
            migrate.wait_for_database(settings.database_url, _wait_seconds(settings))
            revision, head = migrate.current(settings.database_url)
            if revision != head:
                print(f"advisor: the database is at revision {revision or 'none'}, this code needs {head}: "
                      "run `advisor db upgrade` first (or serve without --no-migrate)", file=sys.stderr)
                return 1
        else:
            migrate.upgrade(settings.database_url, wait_seconds=_wait_seconds(settings))
    except migrate.DatabaseUnreachable as error:
        return _unreachable(settings, error)
    database = _describe(settings.database_url)
    print(f"Serving on {settings.public_base_url}  (database: {database})", flush=True)
    # Workers import app.security.connections afresh and read the header deadline from here.
    os.environ["ADVISOR_HEADER_TIMEOUT_SECONDS"] = str(settings.header_timeout_seconds)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        log_config=log_config(settings.log_format),
        **connection_limits(settings),
    )
    if metrics_dir is not None:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _metrics_across_workers(settings) -> str | None:
    """With metrics on and several workers, prometheus_client's multiprocess mode: each worker writes its
    values into one fresh folder, and /metrics adds up all of them (app/metrics.py). Set before any worker
    (or this process) imports prometheus_client, which reads it at import. Returns the folder we made."""
    if not settings.metrics or settings.workers < 2 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    folder = tempfile.mkdtemp(prefix="advisor-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


def connection_limits(settings) -> dict:
    """uvicorn's bounds on connections (issue 17, finding 7). Request bodies are bounded in time by
    the app (app.security.body); request headers by our protocol (app.security.connections)."""
    return {
        "http": "app.security.connections:HeaderDeadlineProtocol",
        "limit_concurrency": settings.limit_concurrency,
        "timeout_keep_alive": settings.keep_alive_seconds,
    }


def _check_deploy() -> int:
    from app.deploy_check import deploy_problems

    problems = deploy_problems(_settings())
    for problem in problems:
        print(f"advisor: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("No deployment problems found.")
    return 0


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _recommend(args) -> int:
    from app.advisor import recommend

    try:
        raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        answers = json.loads(raw)
    except OSError as exc:
        print(f"advisor: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except json.JSONDecodeError as exc:
        print(f"advisor: {args.file} is not valid JSON: {exc.msg} (line {exc.lineno})", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(answers, dict) and "answers" in answers and "task_type" not in answers:
        answers = answers["answers"]  # an example file or an exported assessment wraps the answers
    try:
        result = recommend(answers)
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "(answers)"
            print(f"advisor: {field}: {error['msg']}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.format == "json":
        print(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        from app.advisor.summary import text_summary

        print(text_summary(result))
    return 0


def _db_upgrade() -> int:
    from app import migrate

    settings = _settings()
    try:
        migrate.upgrade(settings.database_url, wait_seconds=_wait_seconds(settings))
    except migrate.DatabaseUnreachable as error:
        return _unreachable(settings, error)
    print(f"Database {_describe(settings.database_url)} is at the newest schema.")
    return 0


def _export(file: str, workspace_link: str | None = None) -> int:
    from app import transfer
    from app.db import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            workspace_id = None
            if workspace_link is not None:
                workspace_id = _workspace_id(connection, workspace_link)
                if workspace_id is None:
                    return _no_workspace()
            if file == "-":
                counts = transfer.write_export(connection, sys.stdout, workspace_id=workspace_id)
            else:
                if Path(file).exists():
                    print(f"advisor: {file} already exists; refusing to overwrite it", file=sys.stderr)
                    return EXIT_BAD_INPUT
                with open(file, "x", encoding="utf-8") as out:
                    counts = transfer.write_export(connection, out, workspace_id=workspace_id)
    finally:
        engine.dispose()
    print(f"Exported {_counted(counts)} from {_describe(settings.database_url)}.", file=sys.stderr)
    return 0


def _workspace_id(connection, link: str) -> str | None:
    """The id of the workspace a link (or its bare token) opens, or None."""
    from sqlmodel import Session

    from app.assessments import NotFound, workspace_by_token

    try:
        with Session(bind=connection) as session:
            return workspace_by_token(_token_of(link), session=session).id
    except NotFound:
        return None


def _no_workspace() -> int:
    print("advisor: no workspace has that link (revoked, renewed or mistyped)", file=sys.stderr)
    return EXIT_BAD_INPUT


def _tokens_as_paths(argv: list[str]) -> list[str]:
    """A link token may begin with "-" (base64url), which argparse would read as an option; "/" + token is
    still that token to `_token_of`, and no option is 43 characters of [A-Za-z0-9_-]."""
    return [f"/{arg}" if arg.startswith("-") and looks_like_token(arg) else arg for arg in argv]


def _token_of(link: str) -> str:
    return link.strip().rstrip("/").rsplit("/", 1)[-1]


def _workspace(args) -> int:
    if args.workspace_command == "export":
        return _export(args.file, workspace_link=args.link)
    from app import transfer
    from app.db import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            workspace_id = _workspace_id(connection, args.link)
            if workspace_id is None:
                return _no_workspace()
            counts = transfer.delete_workspace(connection, workspace_id)
            if not args.yes:
                connection.rollback()
                print(f"Would delete {_counted(counts)}; run again with --yes to delete them for good.")
                return 0
    finally:
        engine.dispose()
    print(f"Deleted {_counted(counts)} for good.")
    return 0


def _purge(dry_run: bool) -> int:
    from datetime import UTC, datetime, timedelta

    from app import migrate
    from app.db import make_engine, writer
    from app.purge import purge

    settings = _settings()
    try:
        migrate.wait_for_database(settings.database_url, _wait_seconds(settings))
    except migrate.DatabaseUnreachable as error:
        return _unreachable(settings, error)
    engine = make_engine(settings.database_url)
    try:
        with writer(engine).begin() as connection:  # SQLite: take the write lock first, as the app does
            retention = timedelta(days=settings.retention_days)
            counts = purge(connection, now=datetime.now(UTC), retention=retention)
            if dry_run:
                connection.rollback()
    finally:
        engine.dispose()
    lines = "\n".join(f"  {count:>6}  {kind}" for kind, count in counts.items())
    done = "Would delete (dry run, nothing changed)" if dry_run else "Deleted"
    print(f"{done}, keeping {settings.retention_days} days of deleted assessments:\n{lines}")
    return 0


def _import(file: str) -> int:
    from app import migrate, transfer
    from app.db import make_engine

    settings = _settings()
    try:
        migrate.upgrade(settings.database_url)
    except migrate.DatabaseUnreachable as error:
        return _unreachable(settings, error)
    engine = make_engine(settings.database_url)
    try:
        source = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        print(f"advisor: cannot read {file}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with engine.begin() as connection:
            counts = transfer.import_lines(connection, source)
    except transfer.ImportRefused as error:
        print(f"advisor: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        if source is not sys.stdin:
            source.close()
        engine.dispose()
    print(f"Imported {_counted(counts)} into {_describe(settings.database_url)}.", file=sys.stderr)
    return 0


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {table}" for table, count in counts.items()) or "nothing"


def _db_current() -> int:
    from app import migrate

    settings = _settings()
    try:
        revision, head = migrate.current(settings.database_url)
    except migrate.DatabaseUnreachable as error:
        return _unreachable(settings, error)
    state = "up to date" if revision == head else f"behind: run `advisor db upgrade` to reach {head}"
    print(f"{_describe(settings.database_url)}: revision {revision or 'none (empty database)'}, {state}")
    return 0


def _db_downgrade(revision: str) -> int:
    from alembic.util.exc import CommandError

    from app import migrate

    settings = _settings()
    try:
        migrate.downgrade(settings.database_url, revision)
    except CommandError as error:
        print(f"advisor: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Database {_describe(settings.database_url)} downgraded to {revision}.")
    return 0


def _db_backup(path: Path) -> int:
    from sqlalchemy.engine import make_url

    settings = _settings()
    if not settings.is_sqlite:
        print("advisor: db backup copies SQLite databases; for PostgreSQL use pg_dump, e.g.\n"
              "  pg_dump --format=custom --file=advisor.dump \"$DATABASE_URL\"", file=sys.stderr)
        return EXIT_BAD_INPUT
    if path.exists():
        print(f"advisor: {path} already exists; refusing to overwrite it", file=sys.stderr)
        return EXIT_BAD_INPUT
    source_path = make_url(settings.database_url).database
    if not source_path or not Path(source_path).exists():
        print(f"advisor: no database file at {source_path}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # The online backup API copies a consistent snapshot while the app keeps writing (sqlite.org/backup.html).
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        count = target.execute("SELECT count(*) FROM assessment").fetchone()[0]
    finally:
        target.close()
        source.close()
    if check != "ok":
        print(f"advisor: the backup failed its integrity check: {check}", file=sys.stderr)
        return 1
    print(f"Backed up {count} assessments to {path} (integrity check: ok).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
