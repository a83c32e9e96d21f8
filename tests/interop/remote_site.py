"""A second CKAN site for the round-trip tests, run in its own process.

Usage: ``python remote_site.py INI harvest URL``

The site described by INI (its own database and Solr core) is emptied,
then harvests the DCAT catalogue at URL with ckanext-dcat's ``dcat_rdf``
harvester, gather, fetch and import in this process. It prints a JSON
object on stdout: ``objects`` (guid, state and errors of each harvest
object), ``datasets`` (package_show of every dataset) and
``organizations`` (organization_show of every organization).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


def _reset() -> None:
    """Empty the database and the index, as the tests' clean_db does."""
    import ckan.lib.search as search
    from ckan.cli.db import _run_migrations
    from ckan.tests.helpers import reset_db

    reset_db()
    for plugin in ("activity", "harvest"):
        _run_migrations(plugin, "head", True)
    search.clear_all()


def _dump() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    found = tk.get_action("package_search")(
        _context(),
        {"fq": "+dataset_type:dataset", "include_private": True, "rows": 1000},
    )
    datasets = [
        tk.get_action("package_show")(_context(), {"id": d["id"], "use_cache": False})
        for d in found["results"]
    ]
    names = tk.get_action("organization_list")(_context(), {})
    organizations = [
        tk.get_action("organization_show")(_context(), {"id": name}) for name in names
    ]
    return {"datasets": datasets, "organizations": organizations}


def harvest(url: str) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.tests.lib import run_harvest_job

    _reset()
    portal = tk.get_action("organization_create")(
        _context(), {"name": "portal-satu-data", "title": "Portal Satu Data"}
    )
    source = tk.get_action("harvest_source_create")(
        _context(),
        {
            "owner_org": portal["id"],
            "url": url,
            "name": "katalog-kota",
            "title": "Katalog kota",
            "source_type": "dcat_rdf",
            "frequency": "MANUAL",
            "config": json.dumps({"rdf_format": "turtle"}),
        },
    )
    job = tk.get_action("harvest_job_create")(_context(), {"source_id": source["id"]})
    results = run_harvest_job(
        HarvestJob.get(job["id"]), queue.get_harvester("dcat_rdf")
    )
    objects = [
        {
            "guid": guid,
            "state": result.get("state"),
            "errors": [error.message for error in result.get("errors") or []],
        }
        for guid, result in results.items()
    ]
    gather_errors = [error.message for error in HarvestJob.get(job["id"]).gather_errors]
    return {"objects": objects, "gather_errors": gather_errors, **_dump()}


COMMANDS = {"harvest": harvest}


def main(argv: list[str]) -> int:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    ini, command, *args = argv
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        result = COMMANDS[command](*args)
    sys.stdout.write(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
