"""Template helpers of ckanext-skpd."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.skpd import vocab

__all__ = [
    "skpd_vocabulary_choices",
    "skpd_organization_choices",
    "skpd_label",
    "skpd_organization_title",
]


def skpd_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the choices of the vocabulary named by ``skpd_vocabulary``."""
    return vocab.scheming_choices(field["skpd_vocabulary"])


def skpd_organization_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every active organization as a choice, ordered by title."""
    rows = (
        model.Session.query(model.Group.id, model.Group.title, model.Group.name)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.title)
    )
    return [{"value": id_, "label": title or name} for id_, title, name in rows]


def skpd_label(vocabulary: str, code: str) -> str:
    """Return the label of a code in the language of the current page."""
    return vocab.label(vocabulary, code, tk.h.lang())


def skpd_organization_title(id_or_name: str) -> str:
    group = model.Group.get(id_or_name) if id_or_name else None
    return (group.title or group.name) if group else id_or_name
