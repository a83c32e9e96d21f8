"""The service scripts: repeated starts and the messages of failed starts."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("SKPD_STATE", ROOT / ".stack"))


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    """Return a loopback port that another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_start_twice_keeps_services():
    """A second start finds the running services and leaves them alone."""
    first = _run(["scripts/stack.sh", "start"])
    second = _run(["scripts/stack.sh", "start"])

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "PostgreSQL already running" in second.stdout
    assert "Redis already running" in second.stdout
    assert "already running" in second.stdout.splitlines()[-1]


def test_site_port_taken(busy_port):
    """The site does not start on a taken port and says what to change."""
    result = _run(["scripts/site.sh", "serve"], SKPD_PORT=str(busy_port))

    assert result.returncode == 1
    assert f"port {busy_port} is taken" in result.stderr
    assert "SKPD_PORT" in result.stderr


def test_database_port_taken(tmp_path, busy_port):
    """A new PostgreSQL instance on a taken port fails with the variable to set."""
    state = tmp_path / "state"
    result = _run(
        ["scripts/stack.sh", "start"],
        SKPD_STATE=str(state),
        SKPD_PG_PORT=str(busy_port),
    )

    assert result.returncode == 1
    assert f"port {busy_port} is taken" in result.stderr
    assert "SKPD_PG_PORT" in result.stderr
    assert not (state / "redis" / "redis.pid").exists()

    # Where the postgres user cannot reach the state folder, the script
    # keeps the cluster under /var/tmp; remove it.
    digest = hashlib.sha1(str(state).encode()).hexdigest()[:12]
    shutil.rmtree(f"/var/tmp/ckanext-skpd-{digest}", ignore_errors=True)


def test_bad_database_url(tmp_path):
    """An ini whose sqlalchemy.url cannot be read is named in the error."""
    ini = tmp_path / "broken.ini"
    ini.write_text("[app:main]\nsqlalchemy.url = sqlite:///nowhere.db\n")

    result = _run(["scripts/stack.sh", "db", str(ini)], CKAN_SQLALCHEMY_URL="")

    assert result.returncode == 1
    assert "sqlite:///nowhere.db" in result.stderr
    assert str(ini) in result.stderr


def test_workers_need_demo_data_until_loaded(tmp_path):
    """Without the demo files, workers start only once the demo is loaded."""
    state = tmp_path / "state"
    state.mkdir()
    missing = tmp_path / "no-such-folder"

    result = _run(
        ["scripts/site.sh", "workers"],
        SKPD_STATE=str(state),
        SKPD_VENV=str(STATE / "venv"),
        SKPD_DATA_DIR=str(missing),
    )

    assert result.returncode == 1
    assert f"demo data folder {missing} not found" in result.stderr
    assert "SKPD_DATA_DIR" in result.stderr
