"""advisor export / import: a whole instance moves from SQLite to PostgreSQL and back with nothing lost,
and its links keep working where the secret is the same."""

import json

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app import assessments, cli, migrate
from app.db import make_engine
from app.models import Assessment, Workspace
from tests.conftest import EXAMPLES, TEST_SECRET

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _answers(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())["answers"]


def _fill(url: str) -> dict[str, str]:
    """Two workspaces with history, a renewed and a revoked link, a deleted assessment and an idempotency
    key: every table holds rows. Returns the edit links' tokens by assessment name."""
    engine = make_engine(url)
    tokens = {}
    with Session(engine, expire_on_commit=False) as session:
        secret = TEST_SECRET.encode()
        team, _ = assessments.create_workspace(session=session, secret=secret)
        other, _ = assessments.create_workspace(session=session, secret=secret)
        bot = assessments.create_assessment(
            session=session, secret=secret, workspace=team, name="Support bot",
            answers=_answers("startup-support-bot"), notes={"budget": "Q3"}, idempotency_key="key-1")
        assessments.save_answers(bot, session=session, expected_version=bot.version, notes=bot.notes,
                                 answers=bot.answers | {"labeled_examples": 5000})
        legal = assessments.create_assessment(session=session, secret=secret, workspace=other,
                                              name="Legal", answers=_answers("legal-assistant"))
        gone = assessments.create_assessment(session=session, secret=secret, workspace=team, name="Gone",
                                             answers=_answers("marketing-copy"))
        assessments.soft_delete(gone, session=session)
        assessments.renew_link(bot, "view", session=session, secret=secret)
        assessments.revoke_link(legal, "view", session=session)
        session.commit()
        for assessment in (bot, legal):
            link = assessments.links_of(assessment, session=session)["edit"]
            tokens[assessment.name] = assessments.link_token(link, secret)
    engine.dispose()
    return tokens


@pytest.fixture
def postgres_url():
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("DROP DATABASE IF EXISTS advisor_transfer WITH (FORCE)")
            connection.exec_driver_sql("CREATE DATABASE advisor_transfer")
    except Exception as error:  # no server here
        pytest.skip(f"needs PostgreSQL on 127.0.0.1:5432 ({type(error).__name__})")
    yield make_url(POSTGRES).set(database="advisor_transfer").render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql("DROP DATABASE IF EXISTS advisor_transfer WITH (FORCE)")
    admin.dispose()


def _cli(monkeypatch, url: str, *args: str) -> int:
    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    monkeypatch.setenv("ADVISOR_SECRET_KEY", TEST_SECRET)
    return cli.main(list(args))


def test_sqlite_to_postgresql_and_back_loses_nothing_and_links_still_open(tmp_path, monkeypatch,
                                                                         postgres_url):
    sqlite_url = f"sqlite:///{tmp_path / 'small.db'}"
    migrate.upgrade(sqlite_url)
    tokens = _fill(sqlite_url)
    first, second, third = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "3.jsonl"
    assert _cli(monkeypatch, sqlite_url, "export", str(first)) == 0
    assert _cli(monkeypatch, postgres_url, "import", str(first)) == 0
    assert _cli(monkeypatch, postgres_url, "export", str(second)) == 0
    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert _cli(monkeypatch, back, "import", str(second)) == 0
    assert _cli(monkeypatch, back, "export", str(third)) == 0
    assert first.read_text() == second.read_text() == third.read_text()
    tables = {json.loads(line).get("table") for line in first.read_text().splitlines()[1:]}
    assert tables >= {"workspace", "assessment", "revision", "sharelink", "idempotencykey"}

    engine = make_engine(postgres_url)
    with Session(engine) as session:
        bot, _ = assessments.assessment_by_token(tokens["Support bot"], session=session, need="edit")
        assert bot.answers["labeled_examples"] == 5000 and bot.notes == {"budget": "Q3"}
        assert len(assessments.revisions_of(bot, session=session)) == 2
        # New rows get fresh ids after the imported ones (the sequences moved past them).
        assessments.save_answers(bot, session=session, expected_version=bot.version,
                                 answers=bot.answers | {"labeled_examples": 6000})
        session.commit()
    engine.dispose()


def test_import_refuses_a_database_that_already_holds_data(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'full.db'}"
    migrate.upgrade(url)
    _fill(url)
    export = tmp_path / "x.jsonl"
    assert _cli(monkeypatch, url, "export", str(export)) == 0
    assert _cli(monkeypatch, url, "import", str(export)) == cli.EXIT_BAD_INPUT
    assert "import into an empty database" in capsys.readouterr().err


def test_import_refuses_a_file_that_is_not_an_export(tmp_path, monkeypatch, capsys):
    bogus = tmp_path / "bogus.jsonl"
    bogus.write_text('{"hello": "world"}\n')
    assert _cli(monkeypatch, f"sqlite:///{tmp_path / 'e.db'}", "import", str(bogus)) == cli.EXIT_BAD_INPUT
    assert "not an advisor export" in capsys.readouterr().err


def _workspace_links(url: str) -> tuple[str, str]:
    """(team's workspace token, the other workspace's token) of what _fill made."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(Assessment).where(Assessment.name.in_(["Support bot", "Legal"]))).all()
        by_name = {row.name: row.workspace_id for row in rows}
        tokens = {}
        for name, workspace_id in by_name.items():
            workspace = session.get(Workspace, workspace_id)
            tokens[name] = assessments.workspace_token(workspace, TEST_SECRET.encode())
    engine.dispose()
    return tokens["Support bot"], tokens["Legal"]


def test_a_workspace_export_holds_that_workspace_only(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    migrate.upgrade(url)
    _fill(url)
    team, _ = _workspace_links(url)
    out = tmp_path / "team.jsonl"
    assert _cli(monkeypatch, url, "workspace", "export", f"http://testserver/w/{team}", str(out)) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()[1:]]
    names = {row["row"]["name"] for row in rows if row["table"] == "assessment"}
    assert names == {"Support bot", "Gone"}  # the team's two, the deleted one included; not "Legal"
    assert sum(row["table"] == "workspace" for row in rows) == 1


def test_a_workspace_delete_says_what_would_go_then_removes_it_and_nothing_else(tmp_path, monkeypatch,
                                                                               capsys):
    url = f"sqlite:///{tmp_path / 'del.db'}"
    migrate.upgrade(url)
    tokens = _fill(url)
    team, _ = _workspace_links(url)
    assert _cli(monkeypatch, url, "workspace", "delete", team) == 0
    assert "Would delete" in capsys.readouterr().out
    assert _cli(monkeypatch, url, "workspace", "delete", team, "--yes") == 0
    assert "Deleted" in capsys.readouterr().out
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.exec(select(Assessment.name)).all() == ["Legal"]
        with pytest.raises(assessments.NotFound):
            assessments.assessment_by_token(tokens["Support bot"], session=session, need="view")
        with pytest.raises(assessments.NotFound):
            assessments.workspace_by_token(team, session=session)
    engine.dispose()
    assert _cli(monkeypatch, url, "workspace", "delete", team, "--yes") == cli.EXIT_BAD_INPUT


def test_a_workspace_token_that_begins_with_a_dash_is_a_link_not_an_option(tmp_path, monkeypatch, capsys):
    """base64url tokens begin with "-" one time in 64; pasted bare, argparse once took them for an option."""
    url = f"sqlite:///{tmp_path / 'dash.db'}"
    migrate.upgrade(url)
    _fill(url)
    engine = make_engine(url)
    with Session(engine) as session:
        workspace_id = session.exec(select(Assessment.workspace_id).where(Assessment.name == "Legal")).one()
        workspace = session.get(Workspace, workspace_id)
        token = ""
        while not token.startswith("-"):
            token = assessments.renew_workspace_link(workspace, session=session, secret=TEST_SECRET.encode())
        session.commit()
    engine.dispose()
    assert _cli(monkeypatch, url, "workspace", "delete", token) == 0
    assert "Would delete" in capsys.readouterr().out
    assert _cli(monkeypatch, url, "workspace", "delete", token, "--yes") == 0
    assert _cli(monkeypatch, url, "workspace", "delete", "--yes", token) == cli.EXIT_BAD_INPUT
    assert "no workspace has that link" in capsys.readouterr().err
