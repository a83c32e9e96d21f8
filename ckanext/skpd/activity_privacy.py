"""Lineage upstreams the viewer may not read, hidden from activity data.

The activity plugin stores, with every change of a dataset, the dict that
``package_show`` built with ``ignore_auth`` set, so its ``lineage`` keeps
every upstream id and note. The activity actions return that dict as
``data["package"]`` of each activity, and the activity pages (dataset,
organization, group and user streams, the dashboard, an old version of a
dataset and the changes pages) render from those actions.

The chained actions here mask those dicts the way
:py:func:`ckanext.skpd.privacy.after_dataset_show` masks ``package_show``:
an entry whose upstream is a dataset the viewer may not read becomes a
placeholder without upstream or note. The upstream ids of all the
activities of one call are checked in one query. ``activity_diff`` also
recomputes its ``diff`` text from the masked dicts, because the activity
plugin computes it from the stored ones. Sysadmins and callers that skip
authorization get the stored data.

The stored data is not changed: the dicts are copied before masking,
because ``activity_dictize`` returns the ``data`` of the database row
itself.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.skpd.privacy import dict_upstreams, mask_dict, unreadable, viewer_of

PACKAGE = "package"

# Activity actions that return a list of activity dicts.
LIST_ACTIONS = (
    "package_activity_list",
    "organization_activity_list",
    "group_activity_list",
    "user_activity_list",
    "recently_changed_packages_activity_list",
    "dashboard_activity_list",
)

# The HTML diff of CKAN 2.12's activity_diff wraps each JSON line into
# pieces of at most 70 characters that end at white space or line end.
_HTML_WRAP = re.compile(r".{1,70}(?:\s+|$)")


def _package_of(activity: Any) -> dict[str, Any] | None:
    data = activity.get("data") if isinstance(activity, dict) else None
    package = data.get(PACKAGE) if isinstance(data, dict) else None
    return package if isinstance(package, dict) else None


def _names_hidden(pkg_dict: dict[str, Any], hidden: set[str]) -> bool:
    return any(
        isinstance(upstream, str) and upstream in hidden
        for upstream in dict_upstreams(pkg_dict)
    )


def mask_activities(context: Context, activities: Sequence[Any]) -> bool:
    """Mask the dataset dicts of ``activities`` for the viewer of ``context``.

    Each activity whose ``data["package"]`` names an unreadable upstream
    gets a new ``data`` dict with a masked copy of the dataset dict.

    :returns: whether any dataset dict was masked
    """
    viewer = viewer_of(context)
    if viewer.sees_all:
        return False
    packages = [
        (activity, package)
        for activity in activities
        if (package := _package_of(activity)) is not None
    ]
    upstreams = [u for _activity, package in packages for u in dict_upstreams(package)]
    hidden = unreadable(upstreams, viewer)
    if not hidden:
        return False

    masked_any = False
    for activity, package in packages:
        if not _names_hidden(package, hidden):
            continue
        masked = copy.deepcopy(package)
        mask_dict(masked, hidden)
        activity["data"] = {**activity["data"], PACKAGE: masked}
        masked_any = True
    return masked_any


def _json_lines(obj: Any) -> list[str]:
    return json.dumps(obj, indent=2, sort_keys=True).split("\n")


def _wrapped(lines: list[str]) -> list[str]:
    return [piece for line in lines for piece in _HTML_WRAP.findall(line)]


def diff_text(old: Any, new: Any, diff_type: str) -> str:
    """Compute the ``diff`` of ``activity_diff`` between two stored objects.

    The objects are compared as sorted JSON with two-space indents, line by
    line, with the difflib formats CKAN 2.12's ``activity_diff`` uses:
    ``unified``, ``context`` or an ``html`` table.

    :raises ValueError: for another ``diff_type``, which ``activity_diff``
        rejects before this function is called
    """
    old_lines, new_lines = _json_lines(old), _json_lines(new)
    if diff_type == "unified":
        return "\n".join(difflib.unified_diff(old_lines, new_lines))
    if diff_type == "context":
        return "\n".join(difflib.context_diff(old_lines, new_lines))
    if diff_type == "html":
        return difflib.HtmlDiff().make_table(_wrapped(old_lines), _wrapped(new_lines))
    raise ValueError(f"diff_type {diff_type!r} is not unified, context or html")


def _masking_list_action(name: str) -> Action:
    @tk.chained_action
    @tk.side_effect_free
    def action(original_action: Action, context: Context, data_dict: DataDict) -> Any:
        activities = original_action(context, data_dict)
        mask_activities(context, activities)
        return activities

    action.__name__ = name
    action.__doc__ = f"""List activities like ``{name}``, masking unreadable upstreams.

    Takes the parameters of the activity plugin's ``{name}``, which checks
    access. Lineage upstreams the caller may not read are replaced by
    placeholders in ``data["package"]`` of every activity.

    :rtype: list of dictionaries
    """
    return action


@tk.chained_action
@tk.side_effect_free
def activity_show(
    original_action: Action, context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Show an activity, masking the upstreams the caller may not read.

    Takes the parameters of the activity plugin's ``activity_show``, which
    checks access.

    :rtype: dictionary
    """
    activity = original_action(context, data_dict)
    mask_activities(context, [activity])
    return activity


@tk.chained_action
@tk.side_effect_free
def activity_data_show(
    original_action: Action, context: Context, data_dict: DataDict
) -> Any:
    """Show the data of an activity, with unreadable upstreams masked.

    Takes the parameters of the activity plugin's ``activity_data_show``,
    which checks access. The result is the whole ``data`` dict, or with
    ``object_type`` one of its values; both are masked when they contain a
    dataset dict.

    :rtype: dictionary
    """
    object_type = data_dict.get("object_type")
    data = original_action(context, data_dict)
    if object_type == PACKAGE:
        activity = {"data": {PACKAGE: data}}
        mask_activities(context, [activity])
        return activity["data"][PACKAGE]
    if not object_type:
        activity = {"data": data}
        mask_activities(context, [activity])
        return activity["data"]
    return data


@tk.chained_action
@tk.side_effect_free
def activity_diff(
    original_action: Action, context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Diff an activity with the previous one, masking unreadable upstreams.

    Takes the parameters of the activity plugin's ``activity_diff``, which
    checks access. When a dataset dict of the two activities was masked,
    the ``diff`` is computed again from the masked dicts, so it does not
    contain the hidden upstreams either.

    :returns: ``diff`` and the two ``activities``, older first
    :rtype: dictionary
    """
    object_type = data_dict.get("object_type")
    diff_type = data_dict.get("diff_type", "unified")
    result = original_action(context, data_dict)
    old, new = result["activities"]
    if mask_activities(context, [old, new]):
        result["diff"] = diff_text(
            old["data"][object_type], new["data"][object_type], diff_type
        )
    return result


def actions() -> dict[str, Callable[..., Any]]:
    """Return the chained activity actions, for a site with the activity plugin."""
    registry: dict[str, Callable[..., Any]] = {
        name: _masking_list_action(name) for name in LIST_ACTIONS
    }
    registry.update(
        {
            "activity_show": activity_show,
            "activity_data_show": activity_data_show,
            "activity_diff": activity_diff,
        }
    )
    return registry
