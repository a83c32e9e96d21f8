"""The integration summary on the main page of an SKPD (organization).

The summary condenses ``skpd_inventory_show`` into counts: the inventory
with its digitisation ladder, the roles the SKPD holds over other SKPD's
data, and the exchange needs between it and other SKPD. The action is
called as the current user, so a dataset that user may not read is neither
counted nor named.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.skpd import vocab
from ckanext.skpd.lineage.inventory import LADDER, NOT_STATED

# How many partner SKPD the needs blocks name.
TOP_PARTNERS = 3


def _viewer_context() -> dict[str, Any]:
    user = tk.current_user
    if not user.is_authenticated:
        return {"user": ""}
    return {"user": user.name, "auth_user_obj": user}


def skpd_ui_organization_summary(org_id: str) -> dict[str, Any] | None:
    """Return the integration summary of an SKPD as the current user may see it.

    :returns: None when the user may not see the organization. Otherwise a
        dict with:

        - ``total``, ``complete`` and ``complete_percent`` (None without
          datasets);
        - ``ladder``: the rungs from the top, each with ``code``, ``label``,
          ``count`` and ``percent`` of the total;
        - ``roles``: ``datasets``, ``owners`` (the number of other SKPD
          owning them) and ``counts`` (per role ``code``, its ``label`` and
          ``count`` of datasets);
        - ``needs_from`` and ``provides_to``: ``count`` of needs,
          ``partners`` (the number of other SKPD) and ``top`` (the partners
          with the most needs, each with ``name``, ``title`` and ``count``).
    """
    try:
        inventory = tk.get_action("skpd_inventory_show")(
            _viewer_context(), {"id": org_id}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None

    lang = tk.h.lang()
    total = inventory["total"]
    share = inventory["complete_share"]
    return {
        "total": total,
        "complete": inventory["complete"],
        "complete_percent": None if share is None else round(share * 100),
        "ladder": _ladder(inventory["ladder"], total, lang),
        "roles": _roles(inventory["roles_over_others"], lang),
        "needs_from": _needs(inventory["needs_from"], "provider"),
        "provides_to": _needs(inventory["provides_to"], "consumer"),
    }


def _ladder(
    groups: list[dict[str, Any]], total: int, lang: str
) -> list[dict[str, Any]]:
    """Return every rung, top first, and "not stated" when it has datasets."""
    counts = {group["code"]: group["count"] for group in groups}
    codes = list(reversed(LADDER))
    if counts.get(NOT_STATED):
        codes.append(NOT_STATED)
    rungs = []
    for code in codes:
        count = counts.get(code, 0)
        rungs.append(
            {
                "code": code,
                "label": _form_label(code, lang),
                "count": count,
                "percent": round(count * 100 / total) if total else 0,
            }
        )
    return rungs


def _form_label(code: str, lang: str) -> str:
    if code == NOT_STATED:
        return tk._("Not stated")
    return vocab.label("availability_form", code, lang)


def _roles(entries: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    per_role: Counter[str] = Counter(
        role for entry in entries for role in entry["roles"]
    )
    owners = {entry["owner_org"]["id"] for entry in entries if entry["owner_org"]}
    return {
        "datasets": len(entries),
        "owners": len(owners),
        "counts": [
            {
                "code": code,
                "label": vocab.label("authority_role", code, lang),
                "count": per_role[code],
            }
            for code in vocab.codes("authority_role")
            if per_role[code]
        ],
    }


def _needs(entries: list[dict[str, Any]], partner_key: str) -> dict[str, Any]:
    """Count needs and the partner SKPD at their other end.

    ``partner_key`` is ``provider`` for what the SKPD needs from others and
    ``consumer`` for what others need from it.
    """
    counts: Counter[str] = Counter()
    partners: dict[str, dict[str, Any]] = {}
    for entry in entries:
        partner = entry.get(partner_key)
        if partner:
            counts[partner["id"]] += 1
            partners[partner["id"]] = partner
    top = [
        {
            "name": partners[org_id]["name"],
            "title": partners[org_id]["title"] or partners[org_id]["name"],
            "count": count,
        }
        for org_id, count in sorted(
            counts.items(),
            key=lambda item: (-item[1], partners[item[0]]["title"] or ""),
        )[:TOP_PARTNERS]
    ]
    return {"count": len(entries), "partners": len(counts), "top": top}
