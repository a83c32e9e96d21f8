"""Saving a step of the dataset form.

Each step after the first is saved with package_patch, which merges the
posted fields into the stored dataset. Two kinds of fields need more than
that, and the form marks them with a hidden ``skpd_form_fields`` input that
names them:

- A multiple-choice field whose boxes are all unticked is not posted at
  all, so the patch would keep the old choices.
- A repeating field (lineage, exchange needs, authority roles) is posted as
  ``<field>-<n>-<subfield>`` entries. ckanext-scheming 3.1.0 turns those
  into a list only when the data contains no ``<field>`` key yet, but the
  patch has already added the stored list, so the posted entries would be
  dropped and an edit of those fields lost.

For every marked field the posted entries are turned into the field's
complete list here, an empty one when nothing was posted.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.scheming.plugins import expand_form_composite

FORM_FIELDS_KEY = "skpd_form_fields"


def complete_form_lists(data_dict: DataDict) -> None:
    """Replace the marked fields of a posted form step by complete lists."""
    marked = data_dict.pop(FORM_FIELDS_KEY, None)
    if not marked:
        return
    names = [marked] if isinstance(marked, str) else list(marked)
    for name in names:
        if not name:
            continue
        expand_form_composite(data_dict, {name})
        data_dict.setdefault(name, [])


@tk.chained_action
def package_patch(
    original_action: Action, context: Context, data_dict: DataDict
) -> Any:
    """Patch a dataset, reading the list fields of a form step completely.

    Takes the parameters of CKAN's ``package_patch``, which checks access,
    plus ``skpd_form_fields``: the names of the fields whose posted values
    (or their absence) are the whole new value.

    :returns: the updated dataset
    :rtype: dictionary
    """
    complete_form_lists(data_dict)
    return original_action(context, data_dict)
