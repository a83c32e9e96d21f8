"""The shape of the repeating fields in package_create and package_update.

``lineage``, ``exchange_needs`` and ``authority_roles`` are lists of
objects. CKAN flattens the request before the schema's validators run, and
with any other shape (text, a number, an object, a list of strings) the
flattening fails with a generic "Integrity Error" that names no field. The
chained actions here check access, then the shape, and raise a
ValidationError on the field, in the request's language, before anything is
stored. ``package_patch`` and ``package_revise`` reach the check through
``package_update``. The dataset these actions return has the lineage
upstreams the caller may not read masked, as ``package_show`` would.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.scheming.helpers import scheming_get_dataset_schema
from ckanext.skpd import privacy
from ckanext.skpd.logic.validators import repeating_field_errors


def _repeating_fields(dataset_type: str) -> dict[str, list[str]]:
    """Return the repeating fields of a dataset type's schema with their keys."""
    schema = scheming_get_dataset_schema(dataset_type)
    if not schema:
        return {}
    return {
        field["field_name"]: [sub["field_name"] for sub in field["repeating_subfields"]]
        for field in schema["dataset_fields"]
        if "repeating_subfields" in field
    }


def _check_shapes(data_dict: DataDict, dataset_type: str) -> None:
    """Raise a field error for a badly shaped repeating field, else tidy it.

    Keys an entry's schema does not define are removed, so that they are
    not stored (scheming would keep them in the entry's ``__extras``). The
    one exception is the mark of a lineage placeholder (see
    :py:mod:`ckanext.skpd.privacy`), kept as ``True`` on lineage entries.
    """
    fields = _repeating_fields(dataset_type)
    errors = repeating_field_errors(data_dict, fields)
    if errors:
        raise tk.ValidationError(errors)
    for field, keys in fields.items():
        for entry in data_dict.get(field) or []:
            marked = field == privacy.LINEAGE and privacy.is_placeholder(entry)
            for key in [k for k in entry if k not in keys]:
                del entry[key]
            if marked:
                entry[privacy.RESTRICTED] = True


@tk.chained_action
def package_create(
    original_action: Action, context: Context, data_dict: DataDict
) -> Any:
    """Create a dataset once its repeating fields are lists of objects.

    Takes the parameters of CKAN's ``package_create``.

    :returns: the new dataset, with the lineage upstreams the caller may not
        read masked
    :rtype: dictionary
    :raises: :py:class:`ckan.logic.ValidationError` naming each repeating
        field that is not a list of objects
    """
    tk.check_access("package_create", context, data_dict)

    _check_shapes(data_dict, data_dict.get("type") or "dataset")
    caller = privacy.caller_of(context)
    return privacy.mask_result(caller, original_action(context, data_dict))


@tk.chained_action
def package_update(
    original_action: Action, context: Context, data_dict: DataDict
) -> Any:
    """Update a dataset once its repeating fields are lists of objects.

    Takes the parameters of CKAN's ``package_update``.

    :returns: the updated dataset, with the lineage upstreams the caller may
        not read masked
    :rtype: dictionary
    :raises: :py:class:`ckan.logic.ValidationError` naming each repeating
        field that is not a list of objects
    """
    name_or_id = data_dict.get("id") or data_dict.get("name")
    package = model.Package.get(name_or_id) if name_or_id else None
    if package is None:
        # CKAN's action raises the error for a missing or unknown id.
        return original_action(context, data_dict)

    # As CKAN's action does: the auth function reads the stored dataset from
    # the context (to allow its current groups) and its id from the data.
    context["package"] = package
    tk.check_access("package_update", context, dict(data_dict, id=package.id))

    _check_shapes(data_dict, package.type)
    caller = privacy.caller_of(context)
    return privacy.mask_result(caller, original_action(context, data_dict))
