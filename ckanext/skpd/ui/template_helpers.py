"""Template helpers of the web interface: home page, dataset page and form.

The dataset page shows a dataset as the seven steps of the SKPD analysis.
Codes become labels in the page's language, organization ids become SKPD
titles, and lineage upstreams become links to the datasets the viewer may
read. An upstream the viewer may not read is shown as restricted, never by
its title or name.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.skpd import vocab

_URI = re.compile(r"^https?://\S+$", re.IGNORECASE)

# Fields the dataset page shows outside the step blocks: the title as the
# heading, the description and tags in their own blocks, the licence in the
# sidebar.
SHOWN_ELSEWHERE = frozenset({"title", "name", "notes", "tag_string", "license_id"})

# Organization reference fields that are not declared with the
# skpd_organization_choices helper.
ORGANIZATION_FIELDS = frozenset({"owner_org"})


def _user_context() -> dict[str, Any]:
    user = tk.current_user
    name = getattr(user, "name", "") if user.is_authenticated else ""
    return {"user": name}


def _language_text(text: Any) -> str:
    return tk.h.scheming_language_text(text) if text else ""


def _as_list(value: Any) -> list[Any]:
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return value if isinstance(value, list) else [value]


# Home page ------------------------------------------------------------------


def skpd_ui_home_overview() -> dict[str, Any]:
    """Return the SKPD and the data domains of the catalogue, with counts.

    The counts are those of the datasets the current user may see, so a
    visitor never learns how many private datasets an SKPD has.

    :returns: ``skpd``: a list of dicts with ``name``, ``title``,
        ``abbreviation``, ``count`` and ``domains`` (labels of the SKPD's
        government affairs); ``domains``: a list of dicts with ``code``,
        ``label`` and ``count``; ``total``: the number of datasets
    """
    lang = tk.h.lang()
    result = tk.get_action("package_search")(
        _user_context(),
        {
            "rows": 0,
            "include_private": True,
            "facet.field": ["organization", "skpd_domain"],
            "facet.limit": -1,
        },
    )
    facets = result.get("search_facets", {})
    org_counts = _facet_counts(facets, "organization")
    domain_counts = _facet_counts(facets, "skpd_domain")

    skpd = []
    for group in _active_organizations():
        extras = group.extras or {}
        skpd.append(
            {
                "name": group.name,
                "title": group.title or group.name,
                "abbreviation": extras.get("abbreviation") or "",
                "count": org_counts.get(group.name, 0),
                "domains": [
                    vocab.label("urusan", code, lang)
                    for code in _as_list(extras.get("urusan"))
                ],
            }
        )

    domains = [
        {
            "code": term.code,
            "label": term.label(lang),
            "count": domain_counts.get(term.code, 0),
        }
        for term in vocab.terms("domain")
    ]
    return {"skpd": skpd, "domains": domains, "total": result.get("count", 0)}


def _facet_counts(facets: dict[str, Any], field: str) -> dict[str, int]:
    items = facets.get(field, {}).get("items", [])
    return {item["name"]: item["count"] for item in items}


def _active_organizations() -> list[model.Group]:
    return (
        model.Session.query(model.Group)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.title)
        .all()
    )


# Dataset page ---------------------------------------------------------------


class _Resolver:
    """Turn stored references into readable values for the current user."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.context = _user_context()
        self._organizations: dict[str, dict[str, Any]] = {}

    def organization(self, value: str) -> dict[str, Any]:
        if value not in self._organizations:
            group = model.Group.get(value)
            if group is None or not group.is_organization or group.state != "active":
                self._organizations[value] = {"text": value}
            else:
                self._organizations[value] = {
                    "text": group.title or group.name,
                    "url": tk.h.url_for("organization.read", id=group.name),
                }
        return self._organizations[value]

    def upstream(self, value: str) -> dict[str, Any]:
        if _URI.match(value):
            return {"text": value, "url": value, "kind": "external"}
        package = model.Package.get(value)
        if package is None or package.state == "deleted":
            return {"text": tk._("Dataset no longer available"), "kind": "missing"}
        if not self._can_read(package):
            return {"text": tk._("Restricted dataset"), "kind": "restricted"}
        owner = model.Group.get(package.owner_org) if package.owner_org else None
        return {
            "text": package.title or package.name,
            "url": tk.h.url_for("dataset.read", id=package.name),
            "detail": (owner.title or owner.name) if owner else "",
            "kind": "dataset",
        }

    def _can_read(self, package: model.Package) -> bool:
        try:
            tk.check_access("package_show", dict(self.context), {"id": package.id})
        except tk.NotAuthorized:
            return False
        return True


def _field_values(
    field: dict[str, Any], value: Any, resolver: _Resolver
) -> list[dict[str, Any]]:
    name = field["field_name"]
    if "skpd_vocabulary" in field:
        return [
            {"text": vocab.label(field["skpd_vocabulary"], code, resolver.lang)}
            for code in _as_list(value)
        ]
    if field.get("choices_helper") == "skpd_organization_choices" or name in (
        ORGANIZATION_FIELDS
    ):
        return [resolver.organization(str(value))]
    if name == "upstream":
        return [resolver.upstream(str(value))]
    if name == "spatial":
        return [{"text": _bbox_text(value)}]
    snippet = field.get("display_snippet")
    if snippet == "link.html":
        return [{"text": str(value), "url": str(value), "kind": "external"}]
    if snippet == "email.html":
        return [{"text": str(value), "url": "mailto:" + str(value)}]
    if isinstance(value, dict):
        return [{"text": str(val), "key": str(key)} for key, val in value.items()]
    return [{"text": str(item)} for item in _as_list(value) if item not in (None, "")]


def _bbox_text(value: Any) -> str:
    bbox = skpd_ui_bbox(value)
    if bbox is None:
        return tk._("Geometry given as GeoJSON")
    west, south, east, north = (f"{number:g}" for number in bbox)
    return tk._("West {west}, south {south}, east {east}, north {north}").format(
        west=west, south=south, east=east, north=north
    )


def _table(
    field: dict[str, Any], entries: Any, resolver: _Resolver
) -> dict[str, Any] | None:
    subfields = field["repeating_subfields"]
    rows = []
    for entry in _as_list(entries):
        if not isinstance(entry, dict):
            continue
        rows.append(
            [
                _field_values(sub, entry[sub["field_name"]], resolver)
                if entry.get(sub["field_name"]) not in (None, "")
                else _placeholder_values(sub, entry)
                for sub in subfields
            ]
        )
    if not rows:
        return None
    return {
        "columns": [_language_text(sub.get("label")) for sub in subfields],
        "rows": rows,
    }


def _placeholder_values(
    subfield: dict[str, Any], entry: dict[str, Any]
) -> list[dict[str, Any]]:
    # package_show replaces an upstream the viewer may not read by an empty
    # one marked restricted (ckanext/skpd/privacy.py).
    if subfield["field_name"] == "upstream" and entry.get("restricted"):
        return [{"text": tk._("Restricted dataset"), "kind": "restricted"}]
    return []


def skpd_ui_dataset_steps(
    pkg: dict[str, Any], dataset_type: str = "dataset"
) -> list[dict[str, Any]]:
    """Return the dataset's fields grouped by the steps of the dataset form.

    :param pkg: the dataset as package_show returns it
    :param dataset_type: the scheming dataset type
    :returns: one dict per step with ``title`` and ``rows``; each row has
        ``field``, ``label`` and either ``shown`` (a list of dicts with
        ``text`` and optional ``url``, ``detail``, ``key`` and ``kind``) or
        ``table`` (``columns`` and ``rows`` of value lists)
    """
    resolver = _Resolver(tk.h.lang())
    pages = tk.h.scheming_get_dataset_form_pages(dataset_type) or []
    steps = []
    for page in pages:
        rows = []
        for field in page["fields"]:
            row = _step_row(field, pkg, resolver)
            if row:
                rows.append(row)
        steps.append({"title": _language_text(page.get("title")), "rows": rows})
    return steps


def _step_row(
    field: dict[str, Any], pkg: dict[str, Any], resolver: _Resolver
) -> dict[str, Any] | None:
    name = field["field_name"]
    value = pkg.get(name)
    if name in SHOWN_ELSEWHERE or value in (None, "", [], {}):
        return None
    row: dict[str, Any] = {"field": name, "label": _language_text(field.get("label"))}
    if field.get("repeating_subfields"):
        table = _table(field, value, resolver)
        if table is None:
            return None
        row["table"] = table
    else:
        row["shown"] = _field_values(field, value, resolver)
    return row


def skpd_ui_bbox(value: Any) -> list[float] | None:
    """Return ``[west, south, east, north]`` of a GeoJSON geometry, or None."""
    from shapely.errors import ShapelyError
    from shapely.geometry import shape

    if not value:
        return None
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        bounds = shape(geometry).bounds
    except (ValueError, TypeError, AttributeError, KeyError, ShapelyError):
        return None
    return [float(number) for number in bounds] if len(bounds) == 4 else None


# Dataset form ---------------------------------------------------------------


def skpd_ui_upstream_input(value: Any) -> str:
    """Return what the upstream input of the form shows for a stored value.

    A catalogue dataset is stored by id. The form shows its name when the
    user may read it, because the type-ahead search offers names. An id the
    user may not read stays an id, so the form names nothing new.
    """
    if not value or not isinstance(value, str) or _URI.match(value):
        return value or ""
    package = model.Package.get(value)
    if package is None or package.state == "deleted":
        return value
    try:
        tk.check_access("package_show", _user_context(), {"id": package.id})
    except tk.NotAuthorized:
        return value
    return package.name


def skpd_ui_selected_codes(value: Any) -> list[str]:
    """Return the codes of a multiple-choice field as a list of strings.

    The value is a list after package_show, a single string when the form
    comes back with one box ticked, or JSON text from a stored extra.
    """
    return [str(code) for code in _as_list(value)]
