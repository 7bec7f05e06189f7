"""advisor check --deploy refuses settings that are unsafe for a public deployment (R37)."""

import pytest

from app import cli
from app.config import Settings
from app.deploy_check import deploy_problems

SAFE = {
    "ADVISOR_SECRET_KEY": "s" * 64,
    "ADVISOR_BASE_URL": "https://advisor.example.com",
    "ADVISOR_HTTPS": "true",
    "ADVISOR_DATABASE_URL": "postgresql://advisor@db.internal:5432/advisor",
}


@pytest.fixture
def environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no generated secret file lying around
    for name, value in SAFE.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_a_safe_configuration_passes(environment, capsys):
    assert cli.main(["check", "--deploy"]) == 0
    assert "No deployment problems" in capsys.readouterr().out


@pytest.mark.parametrize(("setting", "value"), [
    ("ADVISOR_SECRET_KEY", "s" * 40),
    ("ADVISOR_BASE_URL", ""),
    ("ADVISOR_HTTPS", "false"),
    ("ADVISOR_BASE_URL", "http://advisor.example.com"),
    ("ADVISOR_ALLOWED_HOSTS", '["*"]'),
])
def test_each_unsafe_setting_fails_and_is_named(environment, capsys, setting, value):
    environment.setenv(setting, value)
    assert cli.main(["check", "--deploy"]) == 1
    named = setting if value != "http://advisor.example.com" else "ADVISOR_HTTPS"
    assert named in capsys.readouterr().err


def test_no_secret_at_all_fails(environment, capsys):
    environment.delenv("ADVISOR_SECRET_KEY")
    assert cli.main(["check", "--deploy"]) == 1
    assert "ADVISOR_SECRET_KEY" in capsys.readouterr().err


def test_sqlite_on_a_network_filesystem_fails(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/export {tmp_path} nfs4 rw 0 0\n")
    settings = Settings(**{"database_url": f"sqlite:///{tmp_path / 'advisor.db'}", "secret_key": "s" * 64,
                           "base_url": "https://advisor.example.com", "https": True})
    problems = deploy_problems(settings, mounts=mounts)
    assert len(problems) == 1 and "network filesystem (nfs4)" in problems[0]
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n")
    assert deploy_problems(settings, mounts=mounts) == []


def test_a_proxy_elsewhere_that_is_not_trusted_is_named(environment, capsys):
    environment.setenv("ADVISOR_HOST", "0.0.0.0")  # as in the Docker image: the proxy is another container
    assert cli.main(["check", "--deploy"]) == 1
    assert "ADVISOR_FORWARDED_ALLOW_IPS" in capsys.readouterr().err
    environment.setenv("ADVISOR_FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert cli.main(["check", "--deploy"]) == 0
