"""deploy/: the compose file, its env file, the Dockerfile and the gunicorn config.

No Docker is needed: the files are parsed and checked against `Settings`, so a renamed or
misspelt setting, a hard-coded secret or a service that lost its place fails here.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from corebank.config import Environment, Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.production.example"
DOCKERFILE = DEPLOY / "Dockerfile"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX_CONF = DEPLOY / "nginx.conf"

SETTINGS = {name.upper() for name in Settings.model_fields}
# Read by something other than corebank's Settings (images, gunicorn, compose interpolation).
OTHER_VARIABLES = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "WEB_CONCURRENCY",
    "GUNICORN_BIND",
    "PROMETHEUS_MULTIPROC_DIR",
    "COREBANK_PUBLIC_HOST",
}
OTHER_PREFIXES = ("GF_",)  # Grafana

API_SERVICES = ("api1", "api2")
COREBANK_SERVICES = {*API_SERVICES, "migrate", "worker"}
SERVICES = {*COREBANK_SERVICES, "proxy", "postgres", "redis", "prometheus", "grafana"}
STRONG_SECRET = "Zq8!mK3#pL9$vB2&" * 3

_ENV_LINE = re.compile(r"^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
_INTERPOLATION = re.compile(r"\$+\{?([A-Za-z_][A-Za-z0-9_]*)")
_DEFAULTED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def compose_code() -> str:
    """The compose file without its comment lines."""
    lines = COMPOSE.read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


def env_file_entries(path: Path, *, commented: bool = False) -> dict[str, str]:
    """NAME=value lines of an env file; with `commented`, also the `# NAME=value` ones."""
    entries: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = _ENV_LINE.match(line)
        if match and (commented or not match.group(1)):
            entries[match.group(2)] = match.group(3).strip()
    return entries


def environment(definition: dict[str, Any]) -> dict[str, str]:
    """A service's `environment:` as a mapping (compose allows a list of NAME=value too)."""
    value = definition.get("environment") or {}
    if isinstance(value, list):
        return dict(item.split("=", 1) for item in value)
    return {key: "" if item is None else str(item) for key, item in value.items()}


def env_files(definition: dict[str, Any]) -> list[Path]:
    files = definition.get("env_file") or []
    if isinstance(files, str | dict):
        files = [files]
    return [DEPLOY / (item if isinstance(item, str) else item["path"]) for item in files]


def expand(value: str) -> str:
    """Compose interpolation with every variable unset: `${NAME:-default}` becomes default."""
    return _DEFAULTED.sub(lambda match: match.group(2) or "", value)


def effective_environment(name: str) -> dict[str, str]:
    """What a service's process sees: its env files in order, then `environment:` on top."""
    definition = service(name)
    merged: dict[str, str] = {}
    for path in env_files(definition):
        if path.exists():
            merged |= env_file_entries(path)
    return merged | {key: expand(value) for key, value in environment(definition).items()}


def settings_from(values: dict[str, str]) -> Settings:
    """Settings built only from `values` (they win over the test process's environment)."""
    known = {key.lower(): value for key, value in values.items() if key in SETTINGS}
    return Settings(_env_file=None, **known)  # type: ignore[call-arg]


def is_known_variable(name: str) -> bool:
    return name in SETTINGS or name in OTHER_VARIABLES or name.startswith(OTHER_PREFIXES)


def proxy_address() -> str:
    return service("proxy")["networks"]["corebank"]["ipv4_address"]


# --- docker-compose.yml -------------------------------------------------------------------


def test_compose_has_every_service() -> None:
    assert set(compose()["services"]) >= SERVICES


def test_api_runs_in_production_and_no_secret_is_hard_coded() -> None:
    assert not re.search(r"SECRET_KEY\s*[:=]", compose_code()), (
        "SECRET_KEY must come from the env file"
    )
    for name in COREBANK_SERVICES:
        definition = service(name)
        assert "SECRET_KEY" not in environment(definition), name
        assert DEPLOY / ".env.production.example" in env_files(definition), name
        assert effective_environment(name)["ENVIRONMENT"] == "production", name


def test_every_variable_named_is_a_real_setting() -> None:
    named: set[str] = set()
    for definition in compose()["services"].values():
        named |= set(environment(definition))
    named |= set(_INTERPOLATION.findall(compose_code()))
    named |= set(env_file_entries(ENV_EXAMPLE, commented=True))
    unknown = sorted(name for name in named if not is_known_variable(name))
    assert not unknown, f"not a corebank setting nor allow-listed: {unknown}"
    for name in COREBANK_SERVICES:
        extra = set(environment(service(name))) - SETTINGS
        assert not extra, f"{name} sets variables corebank does not read: {extra}"


def test_env_example_as_is_is_refused_in_production() -> None:
    values = env_file_entries(ENV_EXAMPLE)
    assert values["ENVIRONMENT"] == "production"
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        settings_from(values)


def test_api_environment_is_a_valid_production_configuration() -> None:
    for name in API_SERVICES:
        values = effective_environment(name) | {
            "SECRET_KEY": STRONG_SECRET,
            "MFA_ENCRYPTION_KEY": "k1:" + "A" * 43 + "=",
            "ATTESTATION_SIGNING_KEY": "B" * 43,
        }
        settings = settings_from(values)
        assert settings.environment == Environment.production
        assert settings.database_url.startswith("postgresql+asyncpg://")
        assert settings.redis_url
        assert not settings.debug
        assert not settings.docs_enabled
        assert settings.metrics_token is not None, "production serves no metrics without it"
        assert not settings.allow_private_webhooks
        # The outbox is dispatched by the worker service, not inside the API processes.
        assert settings.outbox_dispatcher_in_process is False
        # The image's HEALTHCHECK asks http://127.0.0.1:8000/health.
        assert "127.0.0.1" in settings.allowed_hosts
        assert "*" not in settings.allowed_hosts
        # Prometheus scrapes each instance by its service name.
        assert set(API_SERVICES) <= set(settings.allowed_hosts)
        assert settings.trusted_proxies == [proxy_address()]


def test_migrations_run_once_before_the_api() -> None:
    assert service("migrate")["command"] == ["corebank", "migrate"]
    assert service("worker")["command"] == ["corebank", "worker"]
    for name in (*API_SERVICES, "worker"):
        depends = service(name)["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    for name in API_SERVICES:
        command = service(name)["command"]
        assert command[:2] == ["corebank", "serve"]
        assert "--no-migrate" in command
    assert service("migrate")["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in service("postgres")
    assert "healthcheck" in service("redis")


def test_the_proxy_fronts_both_instances_and_is_the_only_trusted_one() -> None:
    nginx = NGINX_CONF.read_text()
    for name in API_SERVICES:
        assert re.search(rf"server\s+{name}:8000\b", nginx), name
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx
    assert re.search(r"location = /metrics\s*\{\s*return 404;", nginx)
    subnet = compose()["networks"]["corebank"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address()) in ipaddress.ip_network(subnet)
    mounts = service("proxy")["volumes"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in mounts


def test_every_mounted_file_exists() -> None:
    mounted: list[str] = []
    for definition in compose()["services"].values():
        for volume in definition.get("volumes", []):
            if isinstance(volume, str) and volume.startswith("./"):
                mounted.append(volume.split(":", 1)[0])
    assert any("prometheus.yml" in source for source in mounted)
    assert any("alerts.yml" in source for source in mounted)
    assert any("corebank.json" in source for source in mounted)
    missing = [source for source in mounted if not (DEPLOY / source).exists()]
    assert not missing, f"mounted but missing in deploy/: {missing}"


def test_grafana_provisioning_points_at_the_mounted_dashboard() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    assert datasources["datasources"][0]["url"] == "http://prometheus:9090"
    dashboards = yaml.safe_load((provisioning / "dashboards" / "corebank.yml").read_text())
    path = dashboards["providers"][0]["options"]["path"]
    assert f"./grafana/corebank.json:{path}/corebank.json:ro" in service("grafana")["volumes"]
    json.loads((DEPLOY / "grafana" / "corebank.json").read_text())


def test_prometheus_scrapes_every_api_instance() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static.get("targets", [])
    }
    assert {f"{name}:8000" for name in API_SERVICES} <= targets
    example_token = env_file_entries(ENV_EXAMPLE)["METRICS_TOKEN"]
    for job in config["scrape_configs"]:
        assert job["authorization"]["credentials"] == example_token, "the same METRICS_TOKEN"


# --- Dockerfile ---------------------------------------------------------------------------


def dockerfile_stages() -> list[list[str]]:
    """Instructions per stage, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_is_multi_stage_non_root_with_a_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    stages = dockerfile_stages()
    assert len(stages) >= 2
    builder, final = stages[0], stages[-1]
    assert any("pip install ." in line for line in builder)
    assert any(line.startswith("COPY --from=builder /opt/venv /opt/venv") for line in final)
    users = [line.split(None, 1)[1] for line in final if line.startswith("USER ")]
    assert users, "the final stage must switch to a non-root user"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert users[-1].split(":")[0] == "10001"
    healthchecks = [line for line in final if line.startswith("HEALTHCHECK ")]
    assert healthchecks and "http://127.0.0.1:8000/health" in healthchecks[-1]
    assert "EXPOSE 8000" in final
    assert any("PYTHONDONTWRITEBYTECODE=1" in line for line in final)
    assert any("PYTHONUNBUFFERED=1" in line for line in final)
    commands = [line for line in final if line.startswith("CMD ")]
    assert json.loads(commands[-1][4:]) == [
        "corebank", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2",
    ]  # fmt: skip


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in (".git", ".venv", "**/*.db"):
        assert pattern in ignored


# --- gunicorn.conf.py ---------------------------------------------------------------------


def test_gunicorn_conf_compiles_and_reads_web_concurrency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["workers"] == 3
    assert config["worker_class"].endswith(".UvicornWorker")
    assert config["preload_app"] is False
    assert config["graceful_timeout"] > 0


def test_gunicorn_hooks_prepare_and_clean_the_metrics_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"stale")
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = runpy.run_path(str(GUNICORN_CONF))

    config["on_starting"](SimpleNamespace())
    assert directory.is_dir()
    assert not any(directory.iterdir()), "on_starting wipes the previous run's metrics"
    assert len(os.environ["SECRET_KEY"]) >= 32, "one shared development key for all workers"

    (directory / "gauge_livesum_4242.db").write_bytes(b"")
    (directory / "counter_4242.db").write_bytes(b"")
    config["child_exit"](SimpleNamespace(), SimpleNamespace(pid=4242))
    assert not (directory / "gauge_livesum_4242.db").exists()
    assert (directory / "counter_4242.db").exists()
