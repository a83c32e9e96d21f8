"""Lineage upstreams the viewer may not read, hidden from dataset dicts.

``package_show``, ``package_search`` and the pages built on them return the
``lineage`` entries of a dataset. An entry whose upstream is a catalogue
dataset the viewer may not read is replaced by a placeholder that keeps the
relation type and nothing that identifies the upstream::

    {"upstream": "", "relation": "derived_from", "note": "", "restricted": true}

The note is dropped because staff often describe the source in it.

Readability follows CKAN's permission labels, as ``package_search`` and the
lineage graph do (:py:mod:`ckanext.skpd.lineage.access`): the upstream ids of
one dict, or of a whole page of search results, are looked up in one query.
External http(s) URIs, deleted datasets and unknown ids are left as they
are: they name no dataset the viewer may not read.

``current_package_list_with_resources`` is masked like ``package_search``.
The dataset dicts stored in activities are masked by
:py:mod:`ckanext.skpd.activity_privacy`.

Callers that skip authorization (``ignore_auth``) and sysadmins get the
stored values. CKAN 2.12 builds the dict it indexes through ``package_show``
with ``ignore_auth`` set (``ckan.logic.package_show_default_and_custom_schemas``).
So the stored ``validated_data_dict`` keeps the real ids. ``package_show``
runs the ``after_dataset_show`` hooks on a dict read from that cached dict
too, so it is masked as well. The upstream ids and notes are not indexed
as fields of their own (:py:mod:`ckanext.skpd.indexing`); the masking of a
``skpd_upstream`` field and facet covers indexes written before that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.skpd.lineage.access import Viewer

RESTRICTED = "restricted"
LINEAGE = "lineage"

_URI = re.compile(r"^https?://", re.IGNORECASE)

# Raw index fields, returned when a search sets ``fl``, that contain upstream
# ids: whole dicts as JSON text, the lineage extra and the id list.
_JSON_DICT_FIELDS = ("validated_data_dict", "data_dict")
_LINEAGE_EXTRA_FIELD = "extras_lineage"
_UPSTREAM_ID_FIELD = "skpd_upstream"


def placeholder(entry: dict[str, Any]) -> dict[str, Any]:
    """Return the placeholder that replaces an entry the viewer may not read."""
    return {
        "upstream": "",
        "relation": entry.get("relation") or "",
        "note": "",
        RESTRICTED: True,
    }


def is_placeholder(entry: Any) -> bool:
    """Tell whether a lineage entry is a placeholder sent back by a client."""
    if not isinstance(entry, dict) or entry.get("upstream"):
        return False
    try:
        return tk.asbool(entry.get(RESTRICTED) or False)
    except ValueError:
        # A mark that is not a boolean word marks nothing.
        return False


def _catalogue_ids(values: Iterable[Any]) -> set[str]:
    return {
        value
        for value in values
        if isinstance(value, str) and value and not _URI.match(value)
    }


def unreadable(upstreams: Iterable[Any], viewer: Viewer) -> set[str]:
    """Return the upstream ids that name a dataset the viewer may not read.

    One query for all ids. A deleted dataset counts as CKAN's permission
    labels say: only members of its SKPD (and sysadmins) may read it. Ids
    that name no dataset are not in the result.
    """
    if viewer.sees_all:
        return set()
    ids = _catalogue_ids(upstreams)
    if not ids:
        return set()
    rows = (
        model.Session.query(
            model.Package.id,
            model.Package.state,
            model.Package.private,
            model.Package.owner_org,
            model.Package.creator_user_id,
        )
        .filter(model.Package.id.in_(ids))
    )
    return {row.id for row in rows if not viewer.can_read(row)}


def viewer_of(context: Context) -> Viewer:
    """Return the viewer a dict is built for."""
    return Viewer(context)


def _entries(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _upstreams_of(value: Any) -> list[Any]:
    return [e.get("upstream") for e in _entries(value) or [] if isinstance(e, dict)]


def _masked_entries(value: Any, hidden: set[str]) -> Any:
    entries = _entries(value)
    if entries is None:
        return value
    masked = [
        placeholder(e) if isinstance(e, dict) and e.get("upstream") in hidden else e
        for e in entries
    ]
    return masked if isinstance(value, list) else json.dumps(masked)


def _extra_lineage(pkg_dict: dict[str, Any]) -> list[dict[str, Any]]:
    extras = pkg_dict.get("extras")
    if not isinstance(extras, list):
        return []
    return [e for e in extras if isinstance(e, dict) and e.get("key") == LINEAGE]


def dict_upstreams(pkg_dict: dict[str, Any]) -> list[Any]:
    """Return the upstream values of a dataset dict, in either schema."""
    upstreams = _upstreams_of(pkg_dict.get(LINEAGE))
    for extra in _extra_lineage(pkg_dict):
        upstreams += _upstreams_of(extra.get("value"))
    return upstreams


def mask_dict(pkg_dict: dict[str, Any], hidden: set[str]) -> None:
    """Replace, in place, the lineage entries whose upstream is in ``hidden``.

    Handles the scheming dict (``lineage`` as a list) and CKAN's default
    schema (``lineage`` as JSON text in ``extras``).
    """
    if not hidden:
        return
    if LINEAGE in pkg_dict:
        pkg_dict[LINEAGE] = _masked_entries(pkg_dict[LINEAGE], hidden)
    for extra in _extra_lineage(pkg_dict):
        extra["value"] = _masked_entries(extra.get("value"), hidden)


def caller_of(context: Context) -> Context:
    """Return the identity of the caller of an action, for :py:func:`mask_result`.

    CKAN's ``package_update`` reads the saved dataset back with
    ``ignore_auth`` set in the caller's own context, so the identity is
    copied before the action runs.
    """
    keys = ("user", "auth_user_obj", "ignore_auth")
    return {key: context[key] for key in keys if key in context}  # type: ignore[return-value]


def mask_result(caller: Context, result: Any) -> Any:
    """Mask the unreadable upstreams of a dataset dict an action returns.

    ``caller`` comes from :py:func:`caller_of`. The caller's permission
    labels are looked up only when the dict names catalogue upstreams.
    """
    if not isinstance(result, dict) or not _catalogue_ids(dict_upstreams(result)):
        return result
    viewer = viewer_of(caller)
    if not viewer.sees_all:
        mask_dict(result, unreadable(dict_upstreams(result), viewer))
    return result


def after_dataset_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    """Mask the unreadable upstreams of a dict ``package_show`` returns."""
    viewer = viewer_of(context)
    if viewer.sees_all:
        return
    mask_dict(pkg_dict, unreadable(dict_upstreams(pkg_dict), viewer))


def _result_upstreams(result: dict[str, Any]) -> list[Any]:
    upstreams = dict_upstreams(result)
    upstreams += _upstreams_of(result.get(_LINEAGE_EXTRA_FIELD))
    ids = result.get(_UPSTREAM_ID_FIELD)
    if isinstance(ids, list):
        upstreams += ids
    for field in _JSON_DICT_FIELDS:
        text = result.get(field)
        if isinstance(text, str):
            try:
                upstreams += dict_upstreams(json.loads(text))
            except (ValueError, AttributeError):
                continue
    return upstreams


def _mask_result(result: dict[str, Any], hidden: set[str]) -> None:
    mask_dict(result, hidden)
    if _LINEAGE_EXTRA_FIELD in result:
        result[_LINEAGE_EXTRA_FIELD] = _masked_entries(
            result[_LINEAGE_EXTRA_FIELD], hidden
        )
    ids = result.get(_UPSTREAM_ID_FIELD)
    if isinstance(ids, list):
        result[_UPSTREAM_ID_FIELD] = [i for i in ids if i not in hidden]
    for field in _JSON_DICT_FIELDS:
        text = result.get(field)
        if not isinstance(text, str):
            continue
        try:
            inner = json.loads(text)
        except ValueError:
            continue
        if isinstance(inner, dict):
            mask_dict(inner, hidden)
            result[field] = json.dumps(inner)


def mask_search_results(context: Context, search_results: dict[str, Any]) -> None:
    """Mask the unreadable upstreams of every ``package_search`` result.

    Besides whole dataset dicts this covers the raw index fields a caller
    may ask for with ``fl`` (``skpd_upstream``, ``validated_data_dict``,
    ``data_dict``, ``extras_lineage``) and the facet of ``skpd_upstream``.
    """
    viewer = viewer_of(context)
    if viewer.sees_all:
        return
    _mask_facets(search_results, viewer)
    results = search_results.get("results")
    if not results:
        return
    dicts = [r for r in results if isinstance(r, dict)]
    upstreams = [u for r in dicts for u in _result_upstreams(r)]
    hidden = unreadable(upstreams, viewer)
    if not hidden:
        return
    for result in dicts:
        _mask_result(result, hidden)


def _mask_facets(search_results: dict[str, Any], viewer: Viewer) -> None:
    """Drop the ``skpd_upstream`` facet values that name unreadable datasets."""
    facets = search_results.get("facets")
    items = (search_results.get("search_facets") or {}).get(_UPSTREAM_ID_FIELD)
    counts = facets.get(_UPSTREAM_ID_FIELD) if isinstance(facets, dict) else None
    values = list(counts or {})
    if items:
        values += [item.get("name") for item in items.get("items", [])]
    hidden = unreadable(values, viewer)
    if not hidden:
        return
    if counts:
        facets[_UPSTREAM_ID_FIELD] = {
            k: v for k, v in counts.items() if k not in hidden
        }
    if items:
        items["items"] = [
            i for i in items.get("items", []) if i.get("name") not in hidden
        ]


def hidden_stored_entries(
    package_id: str | None, context: Context
) -> list[dict[str, Any]]:
    """Return the stored lineage entries of a dataset the user may not read.

    These are the entries the user got as placeholders, so an update by that
    user keeps them as they are stored.
    """
    if not package_id:
        return []
    package = model.Package.get(package_id)
    if package is None:
        return []
    stored = _entries((package.extras or {}).get(LINEAGE)) or []
    entries = [e for e in stored if isinstance(e, dict)]
    hidden = unreadable([e.get("upstream") for e in entries], viewer_of(context))
    return [e for e in entries if e.get("upstream") in hidden]


@tk.chained_action
@tk.side_effect_free
def package_search(
    original_action: Action, context: Context, data_dict: DataDict
) -> Any:
    """Search datasets; lineage upstreams the caller may not read are masked.

    Takes the parameters of CKAN's ``package_search``, which checks access.
    The masking runs here rather than in ``after_dataset_search``, because
    that hook gets no context and so cannot tell the caller.

    :returns: the search results
    :rtype: dictionary
    """
    search_results = original_action(context, data_dict)
    mask_search_results(context, search_results)
    return search_results


@tk.chained_action
@tk.side_effect_free
def current_package_list_with_resources(
    original_action: Action, context: Context, data_dict: DataDict
) -> list[dict[str, Any]]:
    """List datasets with their resources, masking unreadable upstreams.

    Takes the parameters of CKAN's ``current_package_list_with_resources``,
    which checks access. CKAN 2.12 runs its search through the core
    ``package_search`` function, not through the chained action above, so
    the results are masked here.

    :rtype: list of dictionaries
    """
    results = original_action(context, data_dict)
    mask_search_results(context, {"results": results})
    return results


def actions() -> dict[str, Callable[..., Any]]:
    """Return the chained actions that mask lineage upstreams.

    The activity actions are chained only on a site with the activity
    plugin, because CKAN rejects a chained action without an original.
    """
    registry: dict[str, Callable[..., Any]] = {
        "package_search": package_search,
        "current_package_list_with_resources": current_package_list_with_resources,
    }
    if p.plugin_loaded("activity"):
        # Imported here because activity_privacy imports this module.
        from ckanext.skpd import activity_privacy

        registry.update(activity_privacy.actions())
    return registry
