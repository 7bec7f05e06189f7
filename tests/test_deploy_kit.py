"""The Docker image and the PostgreSQL compose kit, read as a reviewer would: no engine runs here, so
the files are checked for what breaks a build or a deployment (missing files, a wrong port, secrets
handed to the wrong container)."""

import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_every_file_the_image_copies_is_in_the_repository():
    sources = [part for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M) for part in line.split()[:-1]]
    assert sources
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []


def test_the_image_installs_from_the_lock_without_dev_tools_and_checks_liveness_on_its_own_port():
    assert "uv sync --locked --no-dev" in DOCKERFILE
    assert "--require-hashes -r tools/uv.txt" in DOCKERFILE
    healthcheck = DOCKERFILE.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    assert "ADVISOR_PORT" in healthcheck and "/livez" in healthcheck and "8000/" not in healthcheck


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    tool = shutil.which("docker-compose")
    if not tool:
        pytest.skip("docker-compose is not installed (Debian/Ubuntu: apt-get install docker-compose)")
    env_file = tmp_path_factory.mktemp("kit") / "advisor.env"
    example = (ROOT / "deploy" / "advisor.env.example").read_text()
    env_file.write_text(example)
    shutil.copy(env_file, ROOT / "deploy" / "advisor.env")
    try:
        done = subprocess.run([tool, "--env-file", str(env_file), "-f", str(ROOT / "deploy" / "compose.yaml"),
                               "config"], capture_output=True, text=True, check=False)
    finally:
        (ROOT / "deploy" / "advisor.env").unlink()
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_the_compose_kit_wires_the_app_to_postgres_and_keeps_secrets_where_they_belong(compose):
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["environment"]["ADVISOR_DATABASE_URL"].startswith("postgresql://advisor:")
    assert "@db:5432/advisor" in app["environment"]["ADVISOR_DATABASE_URL"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in app  # only the proxy on the compose network reaches the app
    assert not any(name.startswith("ADVISOR_") for name in db["environment"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_a_one_shot_migration_runs_before_the_instances_which_start_without_migrating(compose):
    migrate, app = compose["services"]["migrate"], compose["services"]["app"]
    assert migrate["command"] == ["advisor", "db", "upgrade"]
    assert migrate["restart"] == "no" and migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["environment"]["ADVISOR_DATABASE_URL"] == app["environment"]["ADVISOR_DATABASE_URL"]
    assert not any(key.startswith("ADVISOR_SECRET") for key in migrate["environment"])  # it needs no secret
    assert app["command"] == ["advisor", "serve", "--no-migrate"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["deploy"]["replicas"] == 2
    assert migrate["image"] == app["image"]


def test_the_app_trusts_forwarded_headers_from_the_proxy_alone(compose):
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    proxy_address = proxy["networks"]["edge"]["ipv4_address"]
    assert app["environment"]["ADVISOR_FORWARDED_ALLOW_IPS"] == proxy_address
    assert "edge" in app["networks"] and "edge" not in compose["services"]["db"]["networks"]
    edge = compose["networks"]["edge"]["ipam"]["config"][0]
    import ipaddress

    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(edge["subnet"])
    # Containers get addresses from ip_range only, so none can be handed the proxy's.
    assert ipaddress.ip_address(proxy_address) not in ipaddress.ip_network(edge["ip_range"])
    assert {str(port.get("target", port)) if isinstance(port, dict) else port.split(":")[-1]
            for port in proxy["ports"]} == {"80", "443"}


def test_the_caddyfile_balances_the_instances_on_readiness_and_forwards_the_client(compose):
    proxy = compose["services"]["proxy"]
    targets = [volume["target"] if isinstance(volume, dict) else volume.split(":")[1]
               for volume in proxy["volumes"]]
    mounted = [target for target in targets if target == "/etc/caddy/Caddyfile"]
    assert mounted
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    lines = [line.split("#", 1)[0].strip() for line in caddyfile.splitlines()]
    assert "name app" in lines and "port 8000" in lines and "dynamic a {" in lines
    assert "health_uri /readyz" in lines
    assert "header_up X-Forwarded-For {remote_host}" in lines
    assert "header_up X-Forwarded-Proto {scheme}" in lines
    assert "{$SITE_ADDRESS} {" in lines and proxy["environment"]["SITE_ADDRESS"]


def test_the_kit_passes_check_deploy_with_its_example_settings(compose, tmp_path, monkeypatch):
    from app.config import Settings
    from app.deploy_check import deploy_problems

    for key, value in compose["services"]["app"]["environment"].items():
        monkeypatch.setenv(key, str(value))  # as the container gets them
    monkeypatch.setenv("ADVISOR_HOST", "0.0.0.0")  # the image's
    monkeypatch.setenv("ADVISOR_SECRET_KEY_FILE", str(tmp_path / "unused.key"))
    assert deploy_problems(Settings()) == []  # pool arithmetic, forwarded IPs, HTTPS, hosts
    monkeypatch.setenv("ADVISOR_DB_INSTANCES", "4")  # scaled up without doing the sum again
    assert [problem for problem in deploy_problems(Settings()) if "ADVISOR_DB_POOL_SIZE" in problem]
