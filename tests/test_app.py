"""The app starts from its factory, serves its pages and reports its health."""

import pytest

import app.questionnaire as questionnaire
from app.config import Settings
from app.main import create_app


def test_healthz_reports_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_reports_503_when_the_database_is_unreachable(tmp_path):
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none",
        secret_key="s" * 40,
        secret_key_file=tmp_path / "k",
        base_url="http://testserver",  # the test client's Host is trusted only where it is the base URL (R12)
    )
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        ready = client.get("/readyz")
        alive = client.get("/livez")
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert ready.status_code == 503
    # The process itself is fine: a liveness probe must not restart it for the database's sake.
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Prompt engineering, fine-tuning, or both?" in response.text


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "shared link" in response.text


def test_a_generated_secret_is_kept_across_restarts(tmp_path):
    key_file = tmp_path / "secret.key"
    first = Settings(secret_key_file=key_file).secret
    second = Settings(secret_key_file=key_file).secret
    assert first == second
    assert len(first) >= 32
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_postgres_urls_are_normalised_to_psycopg():
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"


def test_a_broken_questionnaire_stops_the_app_at_start_naming_the_question(settings, tmp_path, monkeypatch):
    broken = tmp_path / "questionnaire.toml"
    text = questionnaire.QUESTIONNAIRE_PATH.read_text()
    broken.write_text(text.replace('id = "time_to_deploy_weeks"', 'id = "time_to_deploy_week"'))
    monkeypatch.setattr(questionnaire, "QUESTIONNAIRE_PATH", broken)
    questionnaire.load_questionnaire.cache_clear()
    try:
        with pytest.raises(questionnaire.QuestionnaireError, match="time_to_deploy_week"):
            create_app(settings)
    finally:
        questionnaire.load_questionnaire.cache_clear()


def test_no_path_is_served_by_two_routes_so_their_order_is_only_speed(settings):
    """app.main orders routes by traffic; that is safe only while no request could match two of them."""
    import re

    from fastapi.routing import iter_route_contexts

    app = create_app(settings)
    routes = [(context.path, context.path_regex, frozenset(context.methods or ()), context.name)
              for context in iter_route_contexts(app.router.routes) if context.path]
    assert len(routes) > 60
    for path, _, methods, name in routes:
        sample = re.sub(r"\{[^}]+\}", "x1", path)
        others = [other_name for other_path, regex, other_methods, other_name in routes
                  if other_path != path and regex.match(sample) and (methods & other_methods or not methods)]
        assert others == [], f"{sorted(methods)} {sample} ({name}) is also matched by {others}"


def test_the_wizard_step_is_matched_before_the_api_routes(settings):
    from fastapi.routing import iter_route_contexts

    contexts = list(iter_route_contexts(create_app(settings).router.routes))
    paths = [context.path or "" for context in contexts]
    step = [context.name for context in contexts].index("wizard_step")
    assert step < min(i for i, path in enumerate(paths) if path.startswith("/api/"))
