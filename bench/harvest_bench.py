"""Benchmark of the data.json harvest: skpd_datajson against ckanext-dcat's
stock dcat_json harvester, on Kota Semarang's catalogue (2,276 datasets).

Usage (from the repository root, with the services running)::

    CKAN_SQLALCHEMY_URL=postgresql://ckan_skpd:ckan_skpd@127.0.0.1:54329/bench \\
    CKAN_SOLR_URL=http://127.0.0.1:18983/solr/ckan_bench \\
    CKAN_REDIS_URL=redis://127.0.0.1:63799/5 \\
    .stack/venv/bin/python bench/harvest_bench.py [--ini test.ini] [--file PATH]

The database named in CKAN_SQLALCHEMY_URL is EMPTIED: give the benchmark a
database of its own (``scripts/stack.sh db <ini>`` creates it). The script

1. serves the catalogue from a loopback HTTP server that supports ETag and
   Last-Modified and counts every byte it sends (headers and bodies);
2. starts real ``ckan harvester gather-consumer`` and ``fetch-consumer``
   processes and sends each job through the Redis queues;
3. times, from job creation until the job is Finished: the first
   skpd_datajson run on an empty site, an unchanged re-run, and the first
   dcat_json run on an emptied site;
4. prints a table and writes the figures as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import http.server
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "datajson" / "kotasemarang.json"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Serves one file with validators and counts the bytes it sends."""

    body = b""
    etag = ""
    last_modified = ""
    sent = 0
    requests = 0

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        head = f"HTTP/1.1 {status} {self.responses[status][0]}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.wfile.write(head.encode("latin-1"))
        payload = b"" if self.command == "HEAD" else body
        self.wfile.write(payload)
        type(self).sent += len(head) + len(payload)
        type(self).requests += 1

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        cls = type(self)
        if self.headers.get("If-None-Match") == cls.etag:
            self._send(304, b"", {"ETag": cls.etag, "Content-Length": "0"})
            return
        self._send(
            200,
            cls.body,
            {
                "Content-Type": "application/json",
                "Content-Length": str(len(cls.body)),
                "ETag": cls.etag,
                "Last-Modified": cls.last_modified,
            },
        )


def serve(path: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    CountingHandler.body = path.read_bytes()
    CountingHandler.etag = f'"{hashlib.sha1(CountingHandler.body).hexdigest()}"'
    CountingHandler.last_modified = email.utils.formatdate(
        path.stat().st_mtime, usegmt=True
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{path.name}"


def bench_ini(base_ini: Path, folder: Path) -> Path:
    """Write an ini that adds the stock dcat_json harvester to the base ini."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(base_ini)
    plugins = " ".join(parser["app:main"]["ckan.plugins"].split())
    ini = folder / "bench.ini"
    ini.write_text(
        f"[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:{base_ini}\n"
        f"ckan.plugins = {plugins} dcat_json_harvester\n"
        # Bulk loads let Solr's autoCommit make the documents visible
        # instead of one hard commit per dataset, for both harvesters.
        "ckan.search.solr_commit = false\n"
    )
    return ini


class Consumers:
    def __init__(self, ini: Path) -> None:
        ckan = shutil.which("ckan", path=os.path.dirname(sys.executable)) or "ckan"
        self.command = [ckan, "-c", str(ini), "harvester"]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def ensure_running(self) -> None:
        for name in ("gather-consumer", "fetch-consumer"):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                self.processes[name] = subprocess.Popen(
                    [*self.command, name],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
            process.wait(timeout=20)


def reset_site() -> None:
    import ckan.lib.search as search
    from ckan.cli.db import _run_migrations
    from ckan.tests.helpers import reset_db

    reset_db()
    for plugin in ("activity", "harvest"):
        _run_migrations(plugin, "head", True)
    search.clear_all()


def context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


def make_source(url: str, source_type: str) -> str:
    import ckan.plugins.toolkit as tk

    owner = tk.get_action("organization_create")(
        context(), {"name": "walidata", "title": "Walidata"}
    )
    return tk.get_action("harvest_source_create")(
        context(),
        {
            "name": f"semarang-{source_type}".replace("_", "-"),
            "title": f"Kota Semarang ({source_type})",
            "url": url,
            "source_type": source_type,
            "owner_org": owner["id"],
            "frequency": "MANUAL",
        },
    )["id"]


def run(consumers: Consumers, source_id: str, label: str) -> dict[str, Any]:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.harvest.model import HarvestObject

    from ckanext.skpd.cli import wait_for_jobs

    consumers.ensure_running()
    sent, requests = CountingHandler.sent, CountingHandler.requests
    started = time.monotonic()
    job = tk.get_action("harvest_job_create")(
        context(), {"source_id": source_id, "run": True}
    )
    wait_for_jobs(
        [job["id"]], 3600, poll=0.1, stall=30.0, on_poll=consumers.ensure_running
    )
    seconds = time.monotonic() - started
    model.Session.remove()
    statuses: dict[str, int] = {}
    for (status,) in model.Session.query(HarvestObject.report_status).filter(
        HarvestObject.harvest_job_id == job["id"]
    ):
        statuses[status] = statuses.get(status, 0) + 1
    count = (
        model.Session.query(model.Package)
        .filter(model.Package.type == "dataset", model.Package.state == "active")
        .count()
    )
    result = {
        "run": label,
        "seconds": round(seconds, 2),
        "bytes": CountingHandler.sent - sent,
        "requests": CountingHandler.requests - requests,
        "objects": statuses,
        "datasets": count,
    }
    print(json.dumps(result), flush=True)  # noqa: T201
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    folder = Path(tempfile.mkdtemp(prefix="skpd-bench-"))
    ini = bench_ini(Path(args.ini).resolve(), folder)
    app = make_app(load_config(str(ini)))
    server, url = serve(Path(args.file))
    consumers = Consumers(ini)
    results = []
    try:
        with app._wsgi_app.test_request_context():
            from ckanext.harvest.queue import purge_queues

            purge_queues()
            reset_site()
            source = make_source(url, "skpd_datajson")
            results.append(run(consumers, source, "skpd_datajson first run"))
            results.append(run(consumers, source, "skpd_datajson unchanged re-run"))
            reset_site()
            source = make_source(url, "dcat_json")
            results.append(run(consumers, source, "dcat_json first run"))
    finally:
        consumers.stop()
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)

    first, rerun, stock = results
    figures = {
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "file": Path(args.file).name,
        "file_bytes": len(CountingHandler.body),
        "runs": results,
        "first_vs_stock": round(first["seconds"] / stock["seconds"], 2),
        "first_vs_rerun": round(first["seconds"] / max(rerun["seconds"], 0.001), 1),
    }
    print(json.dumps(figures, indent=2))  # noqa: T201
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
