"""Changes to the second CKAN site of the CKAN-to-CKAN tests, in its own process.

Usage: ``python remote_ckan.py INI COMMAND [JSON]`` with the second site's
services in the environment (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, ...).

Commands:

- ``reset``: empty the database and the search index;
- ``apply JSON``: a list of steps, each ``{"action": name, "data": {...}}``,
  run as the site user; ``"$name"`` in a value is replaced by the id of
  the object an earlier step created under that name (``"as": name``).

It prints the results of the steps as a JSON list.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


def reset() -> list[Any]:
    import ckan.lib.search as search
    from ckan.cli.db import _run_migrations
    from ckan.tests.helpers import reset_db

    reset_db()
    for plugin in ("activity", "harvest"):
        _run_migrations(plugin, "head", True)
    search.clear_all()
    return []


def _substitute(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:] in names:
        return names[value[1:]]
    if isinstance(value, dict):
        return {k: _substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, names) for v in value]
    return value


def apply(steps_json: str) -> list[Any]:
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    names = {
        name: id_
        for id_, name in model.Session.query(model.Package.id, model.Package.name)
    }
    names.update(
        {
            name: id_
            for id_, name in model.Session.query(model.Group.id, model.Group.name)
        }
    )
    results = []
    for step in json.loads(steps_json):
        data = _substitute(step["data"], names)
        result = tk.get_action(step["action"])(_context(), data)
        if step.get("as") and isinstance(result, dict):
            names[step["as"]] = result["id"]
        results.append(result)
    return results


COMMANDS = {"reset": reset, "apply": apply}


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
