"""advisor serve | recommend | check --deploy | db upgrade | db backup: thin wrappers over the app's
modules."""

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path

from pydantic import ValidationError

# Exit code for bad input, as argparse uses for bad arguments.
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="advisor", description="LLM Customization Advisor")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="upgrade the database, then serve the web app")
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
    backup = db_commands.add_parser("backup", help="write a consistent copy of the SQLite database")
    backup.add_argument("path", type=Path)

    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "recommend":
        return _recommend(args)
    if args.command == "check":
        return _check_deploy()
    if args.db_command == "upgrade":
        return _db_upgrade()
    return _db_backup(args.path)


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
    from app.questionnaire import QuestionnaireError, load_questionnaire

    chosen = {key: getattr(args, key) for key in ("host", "port", "workers")}
    overrides = {key: value for key, value in chosen.items() if value is not None}
    # The app factory (in each worker process) reads its settings from the environment: put the
    # command-line choices there, so links and the allowed hosts follow --host and --port.
    os.environ.update({f"ADVISOR_{key.upper()}": str(value) for key, value in overrides.items()})
    settings = _settings()
    settings.secret  # noqa: B018 - create the secret file once, before workers start
    try:
        load_questionnaire()
    except QuestionnaireError as error:
        print(f"advisor: the questionnaire is broken: {error}", file=sys.stderr)
        return 1
    migrate.upgrade(settings.database_url)
    database = _describe(settings.database_url)
    print(f"Serving on {settings.public_base_url}  (database: {database})", flush=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )
    return 0


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
    migrate.upgrade(settings.database_url)
    print(f"Database {_describe(settings.database_url)} is at the newest schema.")
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
