"""Validators of the SKPD dataset and organization schemas.

The functions marked with ``_scheming`` are factories: ckanext-scheming calls
them with the field definition and uses the validator they return, so the
error messages can name the field and its allowed codes.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.skpd import privacy, vocab

_ = tk._

__all__ = [
    "skpd_choice",
    "skpd_multiple_choice",
    "skpd_cadence_consistent",
    "skpd_organization_ref",
    "skpd_upstream_ref",
    "skpd_skip_blank_row",
    "skpd_drop_blank_rows",
    "skpd_keep_hidden_upstreams",
    "skpd_temporal_order",
    "skpd_geojson",
    "skpd_json_object",
    "skpd_abbreviation",
    "skpd_code_unique",
    "skpd_max_length",
]

REPEATING_FIELDS = ("lineage", "exchange_needs", "authority_roles")
_URI = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _scheming(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn.is_a_scheming_validator = True  # type: ignore[attr-defined]
    return fn


def _field_label(field: dict[str, Any]) -> str:
    label = field.get("label") or field.get("field_name", "")
    if isinstance(label, dict):
        lang = tk.h.lang() if _has_request() else None
        return label.get(lang) or label.get("id") or next(iter(label.values()))
    return str(label)


def _has_request() -> bool:
    try:
        return bool(tk.request)
    except RuntimeError:
        return False


def _is_empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


@_scheming
def skpd_choice(field: dict[str, Any], schema: dict[str, Any]) -> Callable[..., Any]:
    """Accept one code of the field's ``skpd_vocabulary``."""
    vocabulary = field["skpd_vocabulary"]
    allowed = vocab.codes(vocabulary)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        if value not in allowed:
            raise tk.Invalid(
                _('"{value}" is not a valid code for {field}. Use one of: {codes}.')
                .format(value=value, field=_field_label(field), codes=", ".join(allowed))
            )
        return value

    return validator


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in text.split(",") if part.strip()]
    return [value]


@_scheming
def skpd_multiple_choice(
    field: dict[str, Any], schema: dict[str, Any]
) -> Callable[..., Any]:
    """Accept a list of codes (a list, a JSON list or comma-separated text).

    The codes are stored as a JSON list in vocabulary order, without
    duplicates.
    """
    vocabulary = field["skpd_vocabulary"]
    allowed = vocab.codes(vocabulary)

    def validator(value: Any) -> Any:
        if _is_empty(value):
            return value
        values = _as_list(value)
        unknown = [str(v) for v in values if v not in allowed]
        if unknown:
            raise tk.Invalid(
                _('"{value}" is not a valid code for {field}. Use one of: {codes}.')
                .format(
                    value='", "'.join(unknown),
                    field=_field_label(field),
                    codes=", ".join(allowed),
                )
            )
        return json.dumps([code for code in allowed if code in values])

    return validator


def skpd_cadence_consistent(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Check the cadence against the collection method it sits on.

    Routine and periodic collection needs a cadence. Ad hoc collection takes
    no cadence, or "irregular".
    """
    method = data.get(key)
    cadence = data.get(("cadence",))
    cadence_errors = errors.setdefault(("cadence",), [])
    if method == "routine_periodic" and _is_empty(cadence):
        cadence_errors.append(
            _(
                "A cadence is required when the collection method is routine "
                "and periodic. Choose one of: {codes}."
            ).format(codes=", ".join(vocab.codes("cadence")))
        )
    elif method == "ad_hoc" and not _is_empty(cadence) and cadence != "irregular":
        cadence_errors.append(
            _(
                'Ad hoc collection has no fixed cadence, but "{value}" was given. '
                'Leave the cadence empty, choose "irregular", or set the '
                "collection method to routine and periodic."
            ).format(value=cadence)
        )


def _find_organization(value: str) -> model.Group | None:
    group = model.Group.get(value)
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def skpd_organization_ref(value: Any, context: Context) -> Any:
    """Accept the id or name of an active organization and store its id."""
    if _is_empty(value):
        return value
    group = _find_organization(str(value).strip())
    if group is None:
        raise tk.Invalid(
            _(
                'Organization "{value}" not found. Give the name or id of an '
                "existing SKPD organization."
            ).format(value=value)
        )
    return group.id


def _can_read(package: model.Package, context: Context) -> bool:
    if context.get("ignore_auth"):
        return True
    try:
        tk.check_access(
            "package_show",
            {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
            {"id": package.id},
        )
    except tk.NotAuthorized:
        return False
    return True


def _already_upstream(package_id: str, data: FlattenDataDict) -> bool:
    """Tell whether the dataset being updated already names this upstream.

    An editor may keep an upstream they may not read (a private dataset of
    another SKPD, entered by someone who may read it), so that they can
    still save the rest of the dataset; they cannot add a new one.
    """
    own_id = data.get(("id",))
    own = model.Package.get(own_id) if own_id else None
    if own is None:
        return False
    try:
        entries = json.loads((own.extras or {}).get("lineage") or "[]")
    except ValueError:
        return False
    return any(
        isinstance(entry, dict) and entry.get("upstream") == package_id
        for entry in entries
    )


def skpd_upstream_ref(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Check one lineage upstream and store a catalogue dataset by its id.

    The upstream is either an external http(s) URI, kept as it is, or the
    name or id of a dataset of this catalogue that the user may read. A
    dataset cannot be its own upstream.
    """
    value = data.get(key)
    if _is_empty(value):
        errors.setdefault(key, []).append(
            _(
                "Missing upstream dataset. Give the name or id of a dataset in "
                "this catalogue, or an external http(s) URI."
            )
        )
        return
    value = str(value).strip()
    if _URI.match(value):
        data[key] = value
        return
    package = model.Package.get(value)
    readable = package is not None and package.state != "deleted" and (
        _can_read(package, context) or _already_upstream(package.id, data)
    )
    if not readable:
        errors.setdefault(key, []).append(
            _(
                'Dataset "{value}" not found in this catalogue. Give the name or '
                "id of an existing dataset, or an external http(s) URI."
            ).format(value=value)
        )
        return
    own = {data.get(("id",)), data.get(("name",))}
    if package.id in own or package.name in own:
        errors.setdefault(key, []).append(
            _("A dataset cannot be its own upstream. Choose another dataset.")
        )
        return
    data[key] = package.id


def _row_keys(
    key: FlattenKey, data: FlattenDataDict, context: Context
) -> list[FlattenKey]:
    """Return the flattened keys of the repeating-field entry ``key`` is in.

    The keys of every entry are grouped in one pass over the data and kept
    in the context for the rest of the validation, so a dataset with many
    entries costs time in proportion to its size.
    """
    cached = context.get("_skpd_row_keys")
    if cached is None or cached[0] is not data or cached[2] != len(data):
        rows: dict[FlattenKey, list[FlattenKey]] = {}
        for flat_key in data:
            if len(flat_key) == 3:
                rows.setdefault(flat_key[:2], []).append(flat_key)
        cached = (data, rows, len(data))
        context["_skpd_row_keys"] = cached  # type: ignore[typeddict-unknown-key]
    return cached[1].get(key[:2], [])


def _json_kind(value: Any) -> str:
    """Name the JSON type of ``value`` for an error message."""
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, dict):
        return _("an object")
    if isinstance(value, list):
        return _("a list")
    return type(value).__name__


def _entry_shape_error(field: str, keys: list[str], entries: list[Any]) -> str | None:
    shape = ", ".join(keys)
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            return _(
                "Invalid {field}: expected a list of objects with the keys "
                "{keys}, but entry {number} is {kind}."
            ).format(field=field, keys=shape, number=number, kind=_json_kind(entry))
        for key in keys:
            if isinstance(entry.get(key), (dict, list)):
                return _(
                    'Invalid {field}: "{key}" of entry {number} must be a single '
                    "value, not {kind}."
                ).format(
                    field=field, key=key, number=number, kind=_json_kind(entry[key])
                )
    return None


def repeating_field_errors(
    data_dict: dict[str, Any], fields: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Return an error for each repeating field not sent as a list of objects.

    CKAN flattens a dataset before any validator runs, and its flattening
    fails on any other shape with a generic "Integrity Error" that names no
    field. So the shape is checked on the unflattened request.

    :param fields: the repeating fields, each with the keys of its entries
    """
    errors: dict[str, list[str]] = {}
    for field, keys in fields.items():
        if field not in data_dict:
            continue
        value = data_dict[field]
        if isinstance(value, list):
            message = _entry_shape_error(field, keys, value)
        else:
            message = _(
                "Invalid {field}: expected a list of objects with the keys "
                "{keys}, but got {kind}. Send [] for no entries."
            ).format(field=field, keys=", ".join(keys), kind=_json_kind(value))
        if message:
            errors[field] = [message]
    return errors


def skpd_skip_blank_row(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Skip the validation of an entry whose subfields are all blank.

    The dataset form always posts one blank entry per repeating field. It
    carries no information, so it is not validated and skpd_drop_blank_rows
    removes it afterwards. A lineage placeholder (see
    :py:mod:`ckanext.skpd.privacy`) is skipped too, and
    skpd_keep_hidden_upstreams replaces it.
    """
    row_keys = _row_keys(key, data, context) if len(key) == 3 else []
    if row_keys and all(_is_empty(data.get(k)) for k in row_keys):
        raise StopOnError
    if len(key) == 3 and _is_placeholder_row(key[:2], data):
        raise StopOnError


def _is_placeholder_row(row: FlattenKey, data: FlattenDataDict) -> bool:
    if row[0] != privacy.LINEAGE:
        return False
    extras = data.get((*row, "__extras"))
    entry = dict(extras) if isinstance(extras, dict) else {}
    entry["upstream"] = data.get((*row, "upstream"))
    return privacy.is_placeholder(entry)


def skpd_drop_blank_rows(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Remove the blank entries of repeating fields and renumber the rest."""
    for field_name in REPEATING_FIELDS:
        rows: dict[int, dict[FlattenKey, Any]] = {}
        for flat_key in [k for k in data if len(k) == 3 and k[0] == field_name]:
            rows.setdefault(flat_key[1], {})[flat_key] = data.pop(flat_key)
        kept = [
            row
            for _index, row in sorted(rows.items())
            if not all(_is_empty(value) for value in row.values())
        ]
        for new_index, row in enumerate(kept):
            for flat_key, value in row.items():
                data[(field_name, new_index, flat_key[2])] = value


def skpd_keep_hidden_upstreams(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Keep the stored lineage entries the user may not read.

    package_show gives a user a placeholder for each upstream they may not
    read, so an update by that user cannot carry those entries. The posted
    placeholders are dropped, and the stored entries they stood for are
    appended unless the update names their upstream itself.
    """
    rows: dict[int, dict[str, Any]] = {}
    for flat_key in [k for k in data if len(k) == 3 and k[0] == privacy.LINEAGE]:
        rows.setdefault(flat_key[1], {})[flat_key[2]] = data.pop(flat_key)
    kept = [
        row
        for index, row in sorted(rows.items())
        if not _is_placeholder_row((privacy.LINEAGE, index), _flat(index, row))
    ]
    posted = {row.get("upstream") for row in kept}
    for entry in privacy.hidden_stored_entries(data.get(("id",)), context):
        if entry.get("upstream") not in posted:
            kept.append({k: v for k, v in entry.items() if k != privacy.RESTRICTED})
    for index, row in enumerate(kept):
        for subfield, value in row.items():
            data[(privacy.LINEAGE, index, subfield)] = value


def _flat(index: int, row: dict[str, Any]) -> FlattenDataDict:
    return {(privacy.LINEAGE, index, subfield): v for subfield, v in row.items()}


def skpd_temporal_order(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Reject a temporal coverage that ends before it starts."""
    start = data.get(("temporal_start",))
    end = data.get(key)
    if _is_empty(start) or _is_empty(end):
        return
    if str(end)[:10] < str(start)[:10]:
        errors.setdefault(key, []).append(
            _("The end date {end} is before the start date {start}.").format(
                end=str(end)[:10], start=str(start)[:10]
            )
        )


def skpd_geojson(value: Any) -> Any:
    """Accept a GeoJSON geometry and store it as compact JSON text."""
    from shapely.errors import ShapelyError
    from shapely.geometry import shape

    if _is_empty(value):
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, ShapelyError) as err:
        raise tk.Invalid(
            _(
                "The spatial extent is not a valid GeoJSON geometry ({error}). "
                'Give an object such as {{"type": "Polygon", "coordinates": [...]}}.'
            ).format(error=err)
        ) from err
    return json.dumps(geometry, separators=(",", ":"))


def skpd_json_object(value: Any) -> Any:
    """Accept a JSON object (a dict or its JSON text) and store it as text."""
    if _is_empty(value):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as err:
            raise tk.Invalid(_("Invalid JSON object: {error}").format(error=err)) from err
    if not isinstance(value, dict):
        raise tk.Invalid(_("A JSON object is expected."))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def skpd_abbreviation(value: Any) -> Any:
    """Store an SKPD abbreviation in upper case, as staff write it."""
    if _is_empty(value):
        return value
    return str(value).strip().upper()


# Prefix of the text hashed into the advisory-lock key of an SKPD code, so
# the keys stay apart from other users of advisory locks on the database.
_CODE_LOCK_PREFIX = "ckanext-skpd:skpd_code:"


def _code_lock_key(code: str) -> int:
    """Return the signed 64-bit advisory-lock key of an SKPD code."""
    digest = hashlib.sha256((_CODE_LOCK_PREFIX + code).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_code(code: str) -> None:
    """Wait for, then take, the lock on ``code`` until the transaction ends.

    Two requests that save the same code run their check and their insert
    one after the other: the second one's check waits here until the first
    commits or rolls back, and then finds the first one's row. CKAN commits
    after a successful save and rolls back after a validation error, which
    releases the lock. With ``defer_commit`` the lock is held until the
    caller ends the transaction.
    """
    model.Session.execute(
        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _code_lock_key(code)}
    )


# Character categories that add nothing visible to a code: format and
# control characters, and combining marks (variation selectors included).
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Mn", "Me"}
# Letters and symbols that are drawn blank (Hangul fillers, Braille blank).
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def normalise_code(code: str) -> str:
    """Return an SKPD code as it is compared and stored.

    Compatibility forms become their plain characters (full-width digits
    become ASCII digits), and characters drawn as nothing (the zero-width
    space, combining marks, blank fillers) are removed, so two codes that
    look the same are the same.
    """
    text = unicodedata.normalize("NFKC", code)
    text = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        and ch not in _BLANK_LETTERS
    )
    return " ".join(text.split())


def skpd_code_unique(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Reject an SKPD code that another organization already uses.

    The check holds a PostgreSQL advisory lock on the code (see
    :py:func:`_lock_code`), so concurrent requests cannot both pass it.
    """
    code = data.get(key)
    if _is_empty(code):
        return
    code = normalise_code(str(code))
    data[key] = code
    _lock_code(code)
    query = model.Session.query(model.Group.id, model.Group.name).filter(
        model.Group.extras["skpd_code"].astext == code,
        model.Group.state != "deleted",
    )
    own_id = data.get(("id",))
    for group_id, group_name in query:
        if group_id != own_id and group_name != data.get(("name",)):
            errors.setdefault(key, []).append(
                _('SKPD code "{code}" is already used by "{name}".').format(
                    code=code, name=group_name
                )
            )
            return


def skpd_max_length(limit: int) -> Callable[..., Any]:
    """Return a validator rejecting text longer than ``limit`` characters.

    Used on the title, which Solr also indexes as one string term; Solr
    rejects a term over 32,766 bytes, and no title needs to come close.
    """

    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(
                _("Too long: {length} characters. Use at most {limit}.").format(
                    length=len(value), limit=limit
                )
            )
        return value

    return validator
