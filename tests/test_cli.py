"""The advisor command: version; database upgrade, current, downgrade and backup; serve's start-up errors."""

import sqlite3

import pytest

from app import cli


def test_db_upgrade_creates_the_schema(tmp_path, monkeypatch):
    database = tmp_path / "fresh.db"
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{database}")
    assert cli.main(["db", "upgrade"]) == 0
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert {"assessment", "workspace", "revision"} <= tables


def test_db_backup_writes_a_readable_consistent_copy(tmp_path, monkeypatch, capsys):
    database = tmp_path / "live.db"
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{database}")
    cli.main(["db", "upgrade"])
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO workspace (id, link_nonce, token_hash, created_at) "
                           "VALUES ('w1', 'n', 'h', '2026-01-01')")
    backup = tmp_path / "backup.db"
    assert cli.main(["db", "backup", str(backup)]) == 0
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT id FROM workspace").fetchall() == [("w1",)]
    assert "integrity check: ok" in capsys.readouterr().out


def test_db_backup_refuses_to_overwrite(tmp_path, monkeypatch):
    database = tmp_path / "live.db"
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{database}")
    cli.main(["db", "upgrade"])
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    assert cli.main(["db", "backup", str(target)]) == 2
    assert target.read_text() == "keep me"


def test_db_backup_of_postgresql_points_to_pg_dump(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_DATABASE_URL", "postgresql://advisor@db.invalid:5432/advisor")
    target = tmp_path / "backup.db"
    assert cli.main(["db", "backup", str(target)]) == 2
    assert "pg_dump" in capsys.readouterr().err
    assert not target.exists()


def test_serve_port_reaches_the_links_the_app_hands_out(tmp_path):
    import os
    import subprocess
    import sys
    import time

    import httpx

    from tests.conftest import ROOT, free_port

    port = free_port()
    env = {**os.environ, "ADVISOR_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
           "ADVISOR_SECRET_KEY_FILE": str(tmp_path / "secret.key")}
    env.pop("ADVISOR_PORT", None)
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen(command, cwd=ROOT, env=env, **quiet)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                created = httpx.post(f"http://127.0.0.1:{port}/api/v1/assessments",
                                     json={"name": "Port check", "answers": {}}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "advisor serve did not start"
                time.sleep(0.2)
        assert created.status_code == 201
        assert created.json()["view_url"].startswith(f"http://127.0.0.1:{port}/v/")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_version_names_the_package_engine_and_questionnaire(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("advisor ") and "engine " in out and "questionnaire " in out


def test_db_current_says_behind_then_up_to_date_and_downgrade_steps_back(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path / 'cur.db'}")
    monkeypatch.setenv("ADVISOR_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    assert cli.main(["db", "current"]) == 0
    assert "none (empty database), behind" in capsys.readouterr().out
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert cli.main(["db", "downgrade", "-1"]) == 0
    assert cli.main(["db", "current"]) == 0
    assert "behind" in capsys.readouterr().out
    assert cli.main(["db", "downgrade", "no-such-revision"]) == cli.EXIT_BAD_INPUT


def test_an_unreachable_database_stops_serve_with_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/advisor")
    monkeypatch.setenv("ADVISOR_DB_WAIT_SECONDS", "0")  # tried once: the bounded wait has tests/ops
    monkeypatch.setenv("ADVISOR_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    assert cli.main(["serve"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the database" in err and "Traceback" not in err
    assert "secret" not in err  # the password is hidden
