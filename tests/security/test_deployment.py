"""Findings 3 and 7: the image and the compose file, read as files (no Docker engine here).

The image runs as an unprivileged user and gets nothing local (secrets, the database, .git,
the virtualenv); the worker and the web server share the folder the settings write the ICML
to; only the reverse proxy is published, on loopback; gunicorn runs threaded behind nginx,
which buffers requests and times out slow clients.
"""

import re
import runpy
import shlex
from pathlib import Path

import pytest
import yaml

from catalog.icml.paths import catalog_dir

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def dockerfile_env() -> dict:
    env = {}
    for instruction, argument in dockerfile_instructions():
        if instruction == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(argument))
    return env


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def dockerignore_excludes(path: str) -> bool:
    """Docker's rules: the last matching line wins, ``!`` re-includes, a matched folder takes its contents."""
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate, pattern = line.startswith("!"), line.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def test_the_image_runs_as_an_unprivileged_user():
    instructions = dockerfile_instructions()
    users = [argument.split(":")[0].strip() for instruction, argument in instructions if instruction == "USER"]
    assert users and users[-1] not in {"root", "0"}
    last_user = max(i for i, (instruction, _) in enumerate(instructions) if instruction == "USER")
    cmd = max(i for i, (instruction, _) in enumerate(instructions) if instruction in {"CMD", "ENTRYPOINT"})
    assert last_user < cmd
    # the state folder the app writes must belong to that user
    assert any(instruction == "RUN" and f"chown -R {users[-1]}" in argument and "/app/var" in argument
               for instruction, argument in instructions)


def test_no_secret_is_baked_into_the_image():
    for instruction, argument in dockerfile_instructions():
        if instruction in {"ENV", "ARG"}:
            assert not re.search(r"SECRET|API_KEY|PASSWORD|TOKEN", argument, re.I), argument
        if instruction in {"COPY", "ADD"}:
            assert ".env" not in argument.split()


@pytest.mark.parametrize("path", [
    ".env", ".env.production", "var", "var/db.sqlite3", "var/icml/catalog_icml.xml", "var/test-artifacts/browser/1.png",
    ".git/config", ".venv/bin/python", "integration/__pycache__/models.cpython-311.pyc", ".pytest_cache/v/x",
    "test-artifacts/x.png", "db.sqlite3",
])
def test_dockerignore_keeps_local_state_out_of_the_build(path):
    assert dockerignore_excludes(path), path


@pytest.mark.parametrize("path", ["manage.py", "config/settings.py", "requirements.txt", ".env.example",
                                  "integration/retailcrm/models/settings.py", "config/gunicorn.conf.py", "locale/ru/LC_MESSAGES/django.mo"])
def test_dockerignore_keeps_the_application(path):
    assert not dockerignore_excludes(path), path


def test_worker_and_web_share_the_folder_the_settings_write_the_icml_to(settings):
    import config.settings as production

    settings.VAR_DIR = dockerfile_env()["VAR_DIR"]  # what config/settings.py reads inside the image
    settings.ICML_DIR = getattr(production, "ICML_DIR", None)
    expected = str(catalog_dir())
    services = compose()["services"]
    mounts = {}
    for name in ("web", "worker"):
        for volume in services[name].get("volumes", []):
            source, target = volume.split(":")[:2]
            mounts.setdefault(name, {})[target] = source
    assert expected in mounts["web"] and expected in mounts["worker"]
    assert mounts["web"][expected] == mounts["worker"][expected]
    assert mounts["web"][expected] in compose()["volumes"]  # a named volume, not a folder of one container


def test_only_the_proxy_is_published_and_on_loopback():
    services = compose()["services"]
    for name in ("db", "redis", "web", "worker", "scheduler"):
        assert not services[name].get("ports"), f"{name} must not be published"
    published = [(name, port) for name, service in services.items() for port in service.get("ports", [])]
    assert [name for name, _ in published] == ["proxy"]
    for _, port in published:
        address = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(port)).rsplit(":", 2)[0]  # the default of ${VAR:-…}
        assert address in {"127.0.0.1", "[::1]"}, port


def test_gunicorn_serves_on_threads_with_timeouts_and_everything_uses_that_config():
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread" and config["threads"] >= 4
    assert 0 < config["timeout"] <= 120 and config["graceful_timeout"] > 0 and config["keepalive"] <= 15
    assert "%(U)s" not in config["access_log_format"] and "%(r)s" not in config["access_log_format"]  # URLs hold secrets
    cmd = next(argument for instruction, argument in dockerfile_instructions() if instruction == "CMD")
    assert "config/gunicorn.conf.py" in cmd
    assert "--config config/gunicorn.conf.py" in compose()["services"]["web"]["command"]


def test_nginx_buffers_requests_times_out_slow_clients_and_logs_no_urls():
    services = compose()["services"]
    mount = next(v for v in services["proxy"]["volumes"] if v.endswith("/etc/nginx/nginx.conf:ro"))
    conf = (ROOT / mount.split(":")[0]).read_text()
    directives = dict(re.findall(r"^\s*(\w+)\s+([^;{]+);", conf, re.M))
    for name in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert int(directives[name].rstrip("s")) <= 30, name
    assert directives.get("proxy_request_buffering", "on") == "on"
    assert "server web:8000" in conf
    log_format = re.search(r"log_format\s+\w+\s+([^;]+);", conf).group(1)
    assert "$request" not in log_format.replace("$request_method", "").replace("$request_time", "")
    assert "$uri" not in log_format and "$args" not in log_format
