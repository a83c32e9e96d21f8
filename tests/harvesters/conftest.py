"""Fixtures of the harvester tests: a loopback source server, real harvest
consumers, and helpers that run a harvest job through the Redis queues."""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestObject
from ckanext.harvest.queue import purge_queues

from ckanext.skpd.cli import wait_for_jobs

REPO = Path(__file__).parents[2]
SHARED_DATA = Path(os.environ.get("SKPD_SHARED_DATA", REPO.parent / "shared" / "data"))
JOB_TIMEOUT = 180.0

MEDIA_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
    ".ttl": "text/turtle",
    ".html": "text/html; charset=utf-8",
}


@dataclass
class Hit:
    """One request the source server handled."""

    path: str
    status: int
    bytes: int
    conditional: bool


@dataclass
class SourceServer:
    """A loopback HTTP server for harvest sources.

    Files written under ``folder`` are served with ETag and Last-Modified
    and answer conditional requests with 304, unless ``conditional`` is
    False. ``routes`` maps a path to a function that answers it instead
    (hostile servers). ``hits`` lists every request.
    """

    folder: Path
    base_url: str
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]] = field(
        default_factory=dict
    )
    hits: list[Hit] = field(default_factory=list)
    conditional: bool = True

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def write(self, name: str, content: str | bytes) -> str:
        path = self.folder / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        # A new modification time even within the same second.
        stamp = time.time() + len(self.hits) + 1
        os.utime(path, (stamp, stamp))
        return self.url(name)

    def write_json(self, name: str, document: Any) -> str:
        return self.write(name, json.dumps(document, ensure_ascii=False))

    def copy_shared(self, relative: str) -> str:
        source = SHARED_DATA / relative
        if not source.exists():
            pytest.skip(f"shared data file {source} not found; set SKPD_SHARED_DATA")
        return self.write(source.name, source.read_bytes())

    def hits_for(self, name: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == f"/{name}"]


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "skpd-test-source"
    source: SourceServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def send_body(self, status: int, body: bytes, content_type: str, **headers: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status, len(body))

    def record(self, status: int, size: int) -> None:
        conditional = bool(
            self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
        )
        path = urlsplit(self.path).path
        self.source.hits.append(Hit(path, status, size, conditional))

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        route = self.source.routes.get(path)
        if route is not None:
            route(self)
            return
        file_path = self.source.folder / path.lstrip("/")
        if not path.strip("/") or not file_path.is_file():
            self.send_body(404, b"not found", "text/plain")
            return
        body = file_path.read_bytes()
        media_type = MEDIA_TYPES.get(file_path.suffix, "application/octet-stream")
        if not self.source.conditional:
            self.send_body(200, body, media_type)
            return
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        mtime = int(file_path.stat().st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        if self._not_modified(etag, mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            self.record(304, 0)
            return
        self.send_body(200, body, media_type, ETag=etag, Last_Modified=last_modified)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match:
            return etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            parsed = email.utils.parsedate_to_datetime(since)
            return parsed is not None and mtime <= parsed.timestamp()
        return False


@pytest.fixture
def source_server(tmp_path: Path) -> Iterator[SourceServer]:
    """A loopback HTTP server with an empty folder to serve."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = type("Handler", (_Handler,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    source = SourceServer(folder, f"http://127.0.0.1:{server.server_address[1]}")
    handler.source = source
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield source
    server.shutdown()
    server.server_close()


def consumer_redis_url(ini: str) -> str:
    """Return the Redis URL of the test site with a socket time-out of a year.

    ckanext-harvest's Redis consumer blocks in BLPOP on a client from
    ``redis.Redis.from_url``; with redis-py 8's default socket time-out of
    5 s it exits soon after it runs out of work (see docs/harvesting.md).
    """
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini)
    url = os.environ.get("CKAN_REDIS_URL") or parser["app:main"]["ckan.redis.url"]
    if "socket_timeout=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "socket_timeout=31536000"


class Consumers:
    """The gather and fetch consumer processes of the test session.

    They run with a long Redis socket time-out (:func:`consumer_redis_url`);
    one that exits all the same is started again before every harvest.
    """

    NAMES = ("gather-consumer", "fetch-consumer")

    def __init__(self, ini: str) -> None:
        self.ini = ini
        self.ckan = shutil.which("ckan", path=os.path.dirname(sys.executable)) or "ckan"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env = dict(os.environ, CKAN_REDIS_URL=consumer_redis_url(ini))

    def ensure_running(self) -> None:
        for name in self.NAMES:
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                self.processes[name] = subprocess.Popen(
                    [self.ckan, "-c", self.ini, "harvester", name],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=self.env,
                )

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def consumers(pytestconfig: pytest.Config) -> Iterator[Consumers]:
    """Real gather and fetch consumers, run with the ini of this test session."""
    running = Consumers(os.path.abspath(pytestconfig.getoption("ckan_ini")))
    purge_queues()
    running.ensure_running()
    try:
        yield running
    finally:
        running.stop()


def call(action: str, **kwargs: Any) -> Any:
    """Call an action as the site user, as the harvester and the CLI do."""
    site_user = call_action("get_site_user", {"ignore_auth": True})["name"]
    return call_action(action, {"user": site_user, "ignore_auth": True}, **kwargs)


@pytest.fixture
def owner(clean_db: None, clean_index: None) -> dict[str, Any]:
    """The organization that owns the harvest sources."""
    return factories.Organization(name="walidata", title="Walidata")


def make_source(
    url: str,
    owner: dict[str, Any],
    source_type: str,
    config: dict[str, Any] | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    name = name or "src-" + hashlib.sha1(url.encode()).hexdigest()[:10]
    return call(
        "harvest_source_create",
        name=name,
        title=name,
        url=url,
        source_type=source_type,
        owner_org=owner["id"],
        config=json.dumps(config) if config else "",
    )


@dataclass
class JobResult:
    """A finished harvest job: its objects, report and SKPD summary."""

    id: str
    objects: list[HarvestObject]
    report: dict[str, Any]

    @property
    def summary(self) -> dict[str, Any]:
        return self.report.get("skpd_summary") or {}

    @property
    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for obj in self.objects:
            counts[obj.report_status] = counts.get(obj.report_status, 0) + 1
        return counts

    @property
    def gather_errors(self) -> list[str]:
        return [error["message"] for error in self.report["gather_errors"]]

    def object_errors(self) -> dict[str, list[str]]:
        return {
            obj.guid: [error.message for error in obj.errors]
            for obj in self.objects
            if obj.errors
        }


def run_job(consumers: Consumers, source: dict[str, Any]) -> JobResult:
    """Run one job of a source through the queues and the consumers."""
    consumers.ensure_running()
    job = call("harvest_job_create", source_id=source["id"], run=True)
    wait_for_jobs(
        [job["id"]], JOB_TIMEOUT, poll=0.3, stall=5.0, on_poll=consumers.ensure_running
    )
    model.Session.remove()
    objects = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.harvest_job_id == job["id"])
        .all()
    )
    report = call("harvest_job_report", id=job["id"])
    return JobResult(job["id"], objects, report)


def datasets(**kwargs: Any) -> list[dict[str, Any]]:
    """Return every dataset of the site (search index)."""
    params = {"rows": 1000, "include_private": True, **kwargs}
    return call("package_search", **params)["results"]


# A second CKAN site -----------------------------------------------------------


class RemoteCkan:
    """A second CKAN site with its own database and Solr core, served by
    ``ckan run`` on a loopback port; ``apply`` changes its content through
    its actions in a separate process."""

    def __init__(self, ini: Path, env: dict[str, str], url: str) -> None:
        self.ini = ini
        self.env = env
        self.url = url

    def _run(self, *args: str) -> Any:
        completed = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("remote_ckan.py")),
                str(self.ini),
                *args,
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        if completed.returncode != 0:
            raise AssertionError("the second site failed:\n" + completed.stderr[-4000:])
        return json.loads(completed.stdout)

    def reset(self) -> None:
        self._run("reset")

    def apply(self, steps: list[dict[str, Any]]) -> list[Any]:
        return self._run("apply", json.dumps(steps))


@pytest.fixture(scope="session")
def remote_ckan(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RemoteCkan]:
    """Return a running second CKAN site (created and migrated once)."""
    import socket

    from tests.browser_fixtures import _wait_for
    from tests.interop.conftest import prepare_second_site, remote_settings

    test_ini = os.path.abspath(request.config.getoption("ckan_ini"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = remote_settings(test_ini)
    settings["CKAN_SITE_URL"] = f"http://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("remote-ckan")
    ini, env = prepare_second_site(test_ini, folder, settings)
    ckan = shutil.which("ckan", path=os.path.dirname(sys.executable)) or "ckan"
    log_path = folder / "remote-ckan.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                ckan,
                "-c",
                str(ini),
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--disable-reloader",
                "--threaded",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        _wait_for(
            f"{settings['CKAN_SITE_URL']}/api/3/action/status_show", process, log_path
        )
        yield RemoteCkan(ini, env, settings["CKAN_SITE_URL"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
