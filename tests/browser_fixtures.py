"""Fixtures for tests against a running site: a live CKAN server and a browser.

``live_site`` starts ``ckan run`` on a free loopback port with the test
configuration, so it shares the test database, Solr core and Redis with the
test process: data a test creates through ``call_action`` is what the server
shows. ``browser_page`` drives Debian's Chromium through Playwright and saves
a screenshot of the last page of every test under ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SKPD_TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = os.environ.get("SKPD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the test CKAN server exited with code {process.returncode}; "
                f"see {log_path}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(
        f"the test CKAN server did not respond at {url} within {START_TIMEOUT} s; see {log_path}"
    )


@pytest.fixture(scope="session")
def live_site(request: pytest.FixtureRequest) -> Iterator[str]:
    """Return the base URL of a CKAN server running the test configuration."""
    ini = os.path.abspath(request.config.getoption("ckan_ini"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    ckan = shutil.which("ckan", path=os.path.dirname(sys.executable))
    if ckan is None:
        raise RuntimeError(f"no ckan command beside {sys.executable}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "live-site.log"
    env = dict(os.environ, CKAN_SITE_URL=base_url)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [ckan, "-c", ini, "run", "--host", "127.0.0.1", "--port", str(port),
             "--disable-reloader", "--threaded"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        _wait_for(base_url + "/api/3/action/status_show", process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(
            f"{CHROMIUM} not found; run 'scripts/stack.sh install' (Debian's chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _artifact_name(node_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_id).strip("_")


@pytest.fixture
def browser_page(_chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Return a new browser page; its last view is saved as a screenshot."""
    context = _chromium.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(
                path=str(ARTIFACTS / f"{_artifact_name(request.node.nodeid)}.png"),
                full_page=True,
            )
        finally:
            context.close()


def save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{_artifact_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Log in through the site's login form."""
    page.goto(f"{base_url}/user/login")
    page.fill("#field-login", username)
    page.fill("#field-password", password)
    page.click("form:has(#field-login) button[type=submit]")
    page.wait_for_load_state()
