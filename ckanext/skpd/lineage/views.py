"""Pages of the lineage and integration views.

Every page calls the actions with the current user, so a page shows what
the Action API would show that user, and renders a plain HTML table of
everything the JavaScript graphs and charts draw.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from ckan.lib.search.common import SearchError
from ckan.types import Context
from flask import Blueprint, Response

from ckanext.skpd.lineage import config, graph

_ = tk._

blueprint = Blueprint("skpd_lineage", __name__)

# Request parameters of the authority page that are not search filters.
_AUTHORITY_PARAMS = {
    "q",
    "organization",
    "holder",
    "domain",
    "others_only",
    "page",
    "sort",
}


def _context() -> Context:
    return {"user": current_user.name, "auth_user_obj": current_user}


def _lineage_params() -> dict[str, Any]:
    params: dict[str, Any] = {
        "direction": tk.request.args.get("direction") or graph.BOTH,
        "depth": tk.request.args.get("depth") or 1,
    }
    relations = [r for r in tk.request.args.getlist("relation") if r]
    if relations:
        params["relation"] = relations
    if tk.request.args.get("domain"):
        params["domain"] = tk.request.args["domain"]
    return params


def _dataset_or_404(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Dataset not found"))


def _lineage(pkg_dict: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Return the lineage graph, the parameters used and the errors, if any."""
    params = _lineage_params()
    try:
        graph_dict = tk.get_action("skpd_lineage_show")(
            _context(), dict(params, id=pkg_dict["id"])
        )
        return graph_dict, params, None
    except tk.ValidationError as err:
        fallback = {"direction": graph.BOTH, "depth": 1}
        graph_dict = tk.get_action("skpd_lineage_show")(
            _context(), dict(fallback, id=pkg_dict["id"])
        )
        return graph_dict, fallback, err.error_dict


@blueprint.route("/dataset/<id>/lineage")
def dataset_lineage(id: str) -> str:
    pkg_dict = _dataset_or_404(id)
    graph_dict, params, errors = _lineage(pkg_dict)

    return tk.render(
        "skpd/lineage/dataset.html",
        {
            "pkg_dict": pkg_dict,
            "dataset_type": pkg_dict["type"],
            "graph": graph_dict,
            "params": params,
            "errors": errors,
            "max_depth": config.max_depth(),
            "rows": edge_rows(graph_dict),
        },
    )


@blueprint.route("/dataset/<id>/lineage.csv")
def dataset_lineage_csv(id: str) -> Response:
    pkg_dict = _dataset_or_404(id)
    try:
        graph_dict = tk.get_action("skpd_lineage_show")(
            _context(), dict(_lineage_params(), id=pkg_dict["id"])
        )
    except tk.ValidationError as err:
        return Response(_csv_errors(err.error_dict), status=400, mimetype="text/plain")

    body = lineage_csv(graph_dict)
    filename = "{}-lineage.csv".format(pkg_dict["name"])
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_errors(errors: dict[str, Any]) -> str:
    return "\n".join(
        "{}: {}".format(field, " ".join(messages)) for field, messages in errors.items()
    )


def edge_rows(graph_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the edges of a lineage graph with both end nodes, for tables."""
    nodes = {node["id"]: node for node in graph_dict["nodes"]}
    rows = [
        {
            "upstream": nodes[edge["source"]],
            "downstream": nodes[edge["target"]],
            "relation": edge["relation"],
            "note": edge.get("note") or "",
        }
        for edge in graph_dict["edges"]
    ]
    rows.sort(key=lambda r: (r["downstream"]["depth"], r["upstream"]["depth"]))
    return rows


CSV_COLUMNS = (
    "upstream_kind",
    "upstream_id",
    "upstream_name",
    "upstream_title",
    "upstream_skpd",
    "relation",
    "downstream_kind",
    "downstream_id",
    "downstream_name",
    "downstream_title",
    "downstream_skpd",
    "note",
)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _node_cells(prefix: str, node: dict[str, Any]) -> dict[str, str]:
    org = node.get("organization") or {}
    return {
        prefix + "_kind": node["kind"],
        prefix + "_id": node["id"],
        prefix + "_name": node.get("name") or "",
        prefix + "_title": node.get("title") or "",
        prefix + "_skpd": org.get("title") or "",
    }


def lineage_csv(graph_dict: dict[str, Any]) -> str:
    """Return the edges of a lineage graph as CSV, one edge a row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in edge_rows(graph_dict):
        cells = {
            **_node_cells("upstream", row["upstream"]),
            **_node_cells("downstream", row["downstream"]),
            "relation": row["relation"],
            "note": row["note"],
        }
        writer.writerow({key: _cell(value) for key, value in cells.items()})
    return out.getvalue()


def _pair_args(first: str, second: str) -> dict[str, str]:
    args = {key: tk.request.args.get(key, "") for key in (first, second)}
    return args if all(args.values()) else {}


@blueprint.route("/skpd/flows")
def flows() -> str:
    domain = tk.request.args.get("domain") or ""
    errors: dict[str, Any] = {}
    flow_args = dict(_pair_args("source", "target"), domain=domain)
    matrix_args = dict(_pair_args("provider", "consumer"), domain=domain)
    try:
        flow_graph = tk.get_action("skpd_flow_graph_show")(_context(), flow_args)
        matrix = tk.get_action("skpd_exchange_matrix_show")(_context(), matrix_args)
    except tk.ValidationError as err:
        errors = err.error_dict
        flow_graph = tk.get_action("skpd_flow_graph_show")(_context(), {})
        matrix = tk.get_action("skpd_exchange_matrix_show")(_context(), {})
        domain = ""

    return tk.render(
        "skpd/lineage/flows.html",
        {
            "domain": domain,
            "flow_graph": flow_graph,
            "matrix": matrix,
            "errors": errors,
            "organizations": _organizations_by_id(flow_graph, matrix),
            "cells": {(c["provider"], c["consumer"]): c for c in matrix["cells"]},
            "flow_pair": flow_args if "links" in flow_graph else None,
            "matrix_pair": matrix_args if "needs" in matrix else None,
        },
    )


def _organizations_by_id(*results: dict[str, Any]) -> dict[str, Any]:
    orgs: dict[str, Any] = {}
    for result in results:
        for org in result.get("nodes", []) + result.get("providers", []):
            orgs[org["id"]] = org
        for org in result.get("consumers", []):
            orgs[org["id"]] = org
    return orgs


def _authority_filters() -> str:
    """Return the search filters of the page's other parameters.

    The authority page takes the parameters of the dataset search page, so
    a search and its facets carry over to it: each one becomes a
    ``field:"value"`` filter, as on the search page.
    """
    filters = []
    for key, value in tk.request.args.items(multi=True):
        if key in _AUTHORITY_PARAMS or key.startswith(("_", "ext_")) or not value:
            continue
        filters.append('{}:"{}"'.format(key, value.replace('"', '\\"')))
    return " ".join(filters)


@blueprint.route("/skpd/authority")
def authority() -> str:
    args = {
        key: tk.request.args.get(key)
        for key in ("q", "organization", "holder", "domain", "others_only")
        if tk.request.args.get(key)
    }
    search_filters = _authority_filters()
    if search_filters:
        args["fq"] = search_filters
    errors: dict[str, Any] = {}
    try:
        matrix = tk.get_action("skpd_authority_matrix_show")(_context(), args)
    except (tk.ValidationError, tk.ObjectNotFound, SearchError) as err:
        errors = getattr(err, "error_dict", None) or {
            "q": [_("The search could not be run: {error}").format(error=err)]
        }
        matrix = tk.get_action("skpd_authority_matrix_show")(_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, _("Not authorized to see this page"))

    return tk.render(
        "skpd/lineage/authority.html",
        {
            "args": args,
            "filters": search_filters,
            "matrix": matrix,
            "errors": errors,
            "organizations": {o["id"]: o for o in matrix["organizations"]},
        },
    )


@blueprint.route("/organization/<id>/integration")
def organization_integration(id: str) -> str:
    context = _context()
    try:
        group_dict = tk.get_action("organization_show")(
            dict(context, for_view=True), {"id": id, "include_datasets": False}
        )
        result = tk.get_action("skpd_inventory_show")(context, {"id": group_dict["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Organization not found"))

    return tk.render(
        "skpd/lineage/organization.html",
        {
            "group_dict": group_dict,
            "group_type": group_dict["type"],
            "inventory": result,
        },
    )
