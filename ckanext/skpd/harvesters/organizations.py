"""Matching the SKPD a source names to this site's organizations.

A source names an SKPD by name (as it writes it), by SKPD code, or both.
:func:`resolve` finds the local organization in this order:

1. the source's alias table (``organization_aliases`` in the harvest
   source configuration: a name or code as the source writes it, mapped
   to the name of a local organization);
2. the SKPD code (``skpd_code`` of an organization);
3. the name, title, abbreviation or one of the ``aliases`` of an
   organization, compared after normalisation (case, punctuation, area
   suffix, known abbreviations);
4. otherwise a new organization is created, once, and its id added to the
   ``created`` list so a failed import can remove it again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.skpd import vocab
from ckanext.skpd.mapping import datajson

log = logging.getLogger(__name__)


class OrganizationError(Exception):
    """An SKPD that cannot be matched or created, with a message for the report."""


@dataclass(frozen=True)
class OrgRef:
    """An SKPD as a source names it.

    :ivar name: the name as the source writes it
    :ivar code: the SKPD code, when the source gives one
    :ivar title: a display title, when the source gives a better one
    """

    name: str = ""
    code: str = ""
    title: str = ""
    abbreviation: str = ""
    kind: str = ""
    satu_data_role: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.name or self.title or self.code

    def skpd(self) -> datajson.Skpd | None:
        return datajson.parse_skpd(self.name or self.title or self.abbreviation)


def _json_list(value: Any) -> list[Any]:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    return parsed if isinstance(parsed, list) else [parsed]


def organization_keys(group: model.Group) -> set[str]:
    """Return every key an organization can be matched by.

    Its name, title, the normalised title, its abbreviation, its SKPD code
    and each of its ``aliases``, raw and normalised.
    """
    extras = group.extras or {}
    keys = {group.name, (group.title or "").strip().lower()}
    names = [group.title or "", extras.get("abbreviation") or ""]
    names += [str(alias) for alias in _json_list(extras.get("aliases"))]
    for name in names:
        if name.strip():
            keys.add(name.strip().lower())
            keys.add(datajson.skpd_key(name))
    if extras.get("skpd_code"):
        keys.add(extras["skpd_code"].strip())
    keys.discard("")
    return keys


def _active_organizations() -> list[model.Group]:
    return (
        model.Session.query(model.Group)
        .filter(
            model.Group.is_organization == True,  # noqa: E712
            model.Group.state == "active",
        )
        .order_by(model.Group.created)
        .all()
    )


def find_organization(skpd: datajson.Skpd) -> str | None:
    """Return the id of the active organization that is this SKPD, if any."""
    expected = {skpd.key, skpd.slug, skpd.raw.lower(), skpd.title.lower()}
    if skpd.abbreviation:
        expected.add(skpd.abbreviation.lower())
    for group in _active_organizations():
        if expected & organization_keys(group):
            return group.id
    return None


def find_by_code(code: str) -> str | None:
    code = code.strip()
    if not code:
        return None
    for group in _active_organizations():
        if ((group.extras or {}).get("skpd_code") or "").strip() == code:
            return group.id
    return None


def _alias_target(ref: OrgRef, aliases: dict[str, str]) -> str | None:
    if not aliases:
        return None
    for candidate in (ref.code, ref.name, ref.title, ref.abbreviation):
        if candidate and candidate in aliases:
            return aliases[candidate]
    skpd = ref.skpd()
    if skpd is None:
        return None
    for remote, local in aliases.items():
        if datajson.skpd_key(remote) == skpd.key:
            return local
    return None


def _free_name(slug: str) -> str:
    name, number = slug, 1
    while model.Group.by_name(name) is not None:
        number += 1
        suffix = f"-{number}"
        name = slug[: datajson.ORG_NAME_MAX_LENGTH - len(suffix)] + suffix
    return name


def _flatten(errors: Any) -> str:
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_flatten(item) for item in errors)
    return str(errors)


def create_organization(ref: OrgRef, user: str) -> str:
    """Create the organization of an SKPD no local organization matches.

    :raises OrganizationError: when the name is empty or not accepted
    """
    skpd = ref.skpd()
    if skpd is None:
        raise OrganizationError(
            f"An SKPD with code {ref.code!r} has no name, so no organization can be "
            "created for it. Name it in the source, or map the code to a local "
            "organization in organization_aliases."
        )
    data: dict[str, Any] = {
        "name": _free_name(skpd.slug),
        "title": ref.title or skpd.title,
        "urusan": list(skpd.domains),
    }
    abbreviation = ref.abbreviation or skpd.abbreviation
    if abbreviation:
        data["abbreviation"] = abbreviation
    if ref.code:
        data["skpd_code"] = ref.code
    kind = ref.kind if ref.kind in vocab.codes("skpd_kind") else skpd.kind
    if kind:
        data["kind"] = kind
    if ref.satu_data_role in vocab.codes("satu_data_role"):
        data["satu_data_role"] = ref.satu_data_role
    names = {skpd.raw, *ref.aliases} - {data["title"], ""}
    if names:
        data["aliases"] = sorted(names)
    # No return_id_only: the activity plugin of CKAN 2.12 expects the
    # organization dict as the action's result.
    context = {"user": user, "ignore_auth": True}
    try:
        org_id = tk.get_action("organization_create")(context, data)["id"]
    except tk.ValidationError as err:
        raise OrganizationError(
            'Could not create the SKPD organization "{}": {}'.format(
                data["title"], _flatten(err.error_dict)
            )
        ) from err
    log.info("Created organization %s for SKPD %s", data["name"], ref.label)
    return org_id


def resolve(ref: OrgRef, aliases: dict[str, str], created: list[str], user: str) -> str:
    """Return the id of this site's organization for an SKPD.

    :param aliases: the source's alias table (remote name or code -> local name)
    :param created: ids of organizations created by this import; a new one
        is appended
    :raises OrganizationError: when an alias names no active organization,
        or a new organization cannot be created
    """
    local_name = _alias_target(ref, aliases)
    if local_name:
        group = model.Group.get(local_name)
        if group is None or not group.is_organization or group.state != "active":
            raise OrganizationError(
                f'organization_aliases maps "{ref.label}" to "{local_name}", '
                "but no active "
                "organization has that name. Create it or correct the harvest "
                "source configuration."
            )
        return group.id

    found = find_by_code(ref.code) if ref.code else None
    skpd = ref.skpd()
    if found is None and skpd is not None:
        found = find_organization(skpd)
    if found:
        return found

    org_id = create_organization(ref, user)
    created.append(org_id)
    return org_id


def purge(created: list[str], user: str) -> None:
    """Remove the organizations a failed import created.

    ``organization_create`` in CKAN 2.12 commits the creator's membership
    even when asked to defer the commit, so a rollback alone would leave the
    new organizations behind.
    """
    for org_id in created:
        try:
            tk.get_action("organization_purge")(
                {"user": user, "ignore_auth": True}, {"id": org_id}
            )
        except tk.ObjectNotFound:
            continue
        log.info("Purged organization %s created by a failed import", org_id)
