"""How a re-harvest combines the source's new record with local edits.

Three versions of a dataset meet when a changed record is imported again:

- ``old``: the fields the harvester wrote from the source last time (kept
  on the harvest object as its source snapshot);
- ``new``: the fields the source gives now;
- ``current``: the dataset as it is in the catalogue, with whatever people
  added or changed since.

The rule, per field:

- A field the source did not change (``new`` equals ``old``) keeps its
  current value, so a local correction survives.
- A field the source changed takes the source's new value. When the source
  dropped the value, the field is emptied only if nobody changed it
  locally.
- List fields whose entries have an identity (lineage, authority roles,
  exchange needs, resources, tags) are merged entry by entry: the source's
  entries are replaced by its new ones, and entries added locally (not in
  ``old`` nor in ``new``) are kept.
- Fields the source never gives (for example lineage from a data.json
  catalogue) are therefore never touched.

Everything here is pure: dicts in, dicts out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# Fields the merge never touches: identity, bookkeeping and CKAN's own.
SKIPPED = {
    "id",
    "name",
    "type",
    "state",
    "private",
    "extras",
    "organization",
    "groups",
    "relationships_as_object",
    "relationships_as_subject",
    "metadata_created",
    "metadata_modified",
    "creator_user_id",
    "num_resources",
    "num_tags",
    "isopen",
    "license_title",
    "license_url",
    "tag_string",
}


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _lineage_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return (_text(entry.get("upstream")), _text(entry.get("relation")))


def _role_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return (_text(entry.get("role")), _text(entry.get("holder")))


def _need_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return (_text(entry.get("consumer")), _text(entry.get("purpose")).lower())


def _resource_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return (_text(entry.get("url")),)


def _tag_key(entry: dict[str, Any]) -> tuple[str, ...]:
    return (_text(entry.get("name")).lower(),)


# List fields merged entry by entry, with the identity of an entry.
ENTRY_KEYS: dict[str, Callable[[dict[str, Any]], tuple[str, ...]]] = {
    "lineage": _lineage_key,
    "authority_roles": _role_key,
    "exchange_needs": _need_key,
    "resources": _resource_key,
    "tags": _tag_key,
}

# What identifies an entry's content, for telling whether it changed.
_ENTRY_FIELDS = {
    "lineage": ("upstream", "relation", "note"),
    "authority_roles": ("role", "holder"),
    "exchange_needs": ("consumer", "purpose", "frequency", "method", "status"),
    "resources": ("url", "name", "format", "description"),
    "tags": ("name",),
}


def _entries(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def normal(field_name: str, value: Any) -> Any:
    """Return a value in a form that compares equal when it means the same.

    Empty strings, empty lists and None are alike; lists of codes compare as
    sets; entries compare by their meaningful subfields.
    """
    if field_name in _ENTRY_FIELDS:
        subfields = _ENTRY_FIELDS[field_name]
        rows = [
            tuple(_text(entry.get(sub)) for sub in subfields)
            for entry in _entries(value)
        ]
        if field_name == "tags":
            rows = sorted((row[0].lower(),) for row in rows)
        return tuple(rows) or None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                return normal(field_name, json.loads(text))
            except ValueError:
                return text
        return text or None
    if isinstance(value, list | tuple):
        items = [normal(field_name, item) for item in value]
        items = [item for item in items if item is not None]
        try:
            return tuple(sorted(items)) or None
        except TypeError:
            return tuple(json.dumps(item, sort_keys=True) for item in items) or None
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else None
    return value


def _merge_entries(
    field_name: str, old: Any, new: Any, current: Any
) -> list[dict[str, Any]]:
    key = ENTRY_KEYS[field_name]
    new_entries = _entries(new)
    source_keys = {key(e) for e in _entries(old)} | {key(e) for e in new_entries}
    local = [e for e in _entries(current) if key(e) not in source_keys]
    return new_entries + local


def merge_field(field_name: str, old: Any, new: Any, current: Any) -> Any:
    """Return the value a field gets when a changed record is imported."""
    if field_name in ENTRY_KEYS:
        if normal(field_name, new) == normal(field_name, old):
            return current
        return _merge_entries(field_name, old, new, current)
    if normal(field_name, new) == normal(field_name, old):
        return current
    if normal(field_name, new) is None:
        locally_changed = normal(field_name, current) != normal(field_name, old)
        return current if locally_changed else None
    return new


def merge(
    old: dict[str, Any] | None, new: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """Return the dataset dict to save for a changed record.

    :param old: the source snapshot of the last import, or None when there
        is none (then every field the source gives is taken, and every field
        it does not give is kept)
    :param new: the fields the source gives now
    :param current: the dataset as ``package_show`` returns it
    :returns: ``current`` with every source field merged in
    """
    old = old or {}
    merged = dict(current)
    for field_name in (set(old) | set(new)) - SKIPPED:
        value = merge_field(
            field_name,
            old.get(field_name),
            new.get(field_name),
            current.get(field_name),
        )
        if value is None and field_name in ENTRY_KEYS:
            # An empty list, not a missing key: package_update of CKAN 2.12
            # keeps the resources when the key is missing.
            merged[field_name] = []
        elif value is None:
            merged.pop(field_name, None)
        else:
            merged[field_name] = value
    return merged


def differs(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Return the fields whose meaning differs between two dataset dicts."""
    names = (set(before) | set(after)) - SKIPPED
    return sorted(
        name
        for name in names
        if normal(name, before.get(name)) != normal(name, after.get(name))
    )
