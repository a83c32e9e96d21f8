"""SKPD organizations as RDF agents, and back.

Every SKPD a dataset names (its publisher, producer, custodian, role
holders and consumers) is written as a ``foaf:Organization`` whose URI is
``<catalogue URI>/organization/<organization id>``, described with its
name, abbreviation, SKPD code, kind and Satu Data role. A site that reads
the graph back matches each agent to one of its own organizations by that
URI, by SKPD code, or by name and abbreviation, and a harvest creates the
organizations it does not find.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.dcat.utils import catalog_uri
from ckanext.skpd import vocab
from ckanext.skpd.harvesters.datajson import find_organization
from ckanext.skpd.mapping import datajson

log = logging.getLogger(__name__)


@dataclass
class AgentDescription:
    """The description of an SKPD agent in a graph."""

    uri: str
    title: str = ""
    abbreviation: str = ""
    skpd_code: str = ""
    kind: str = ""
    satu_data_role: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgentDescription:
        fields = {key: str(data.get(key) or "") for key in cls.__dataclass_fields__}
        return cls(**fields)


def organization_uri(org_id: str) -> str:
    """Return the URI of an organization of this catalogue."""
    return "{}/organization/{}".format(catalog_uri().rstrip("/"), org_id)


def _active_organization(id_or_name: str) -> model.Group | None:
    group = model.Group.get(id_or_name)
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def _by_skpd_code(code: str) -> model.Group | None:
    return (
        model.Session.query(model.Group)
        .filter(
            model.Group.is_organization == True,  # noqa: E712
            model.Group.state == "active",
            model.Group.extras["skpd_code"].astext == code,
        )
        .first()
    )


def find_local_organization(agent: AgentDescription) -> str | None:
    """Return the id of this site's organization for an agent, if there is one.

    The agent's URI is tried first (an organization of this catalogue),
    then the SKPD code, then the name and abbreviation as the data.json
    harvester matches publishers.
    """
    prefix = "{}/organization/".format(catalog_uri().rstrip("/"))
    if agent.uri.startswith(prefix):
        group = _active_organization(agent.uri[len(prefix) :])
        if group is not None:
            return group.id
    if agent.skpd_code:
        group = _by_skpd_code(agent.skpd_code)
        if group is not None:
            return group.id
    for name in (agent.title, agent.abbreviation):
        skpd = datajson.parse_skpd(name)
        if skpd is not None:
            found = find_organization(skpd)
            if found:
                return found
    return None


def _free_name(slug: str) -> str:
    name, number = slug, 1
    while model.Group.by_name(name) is not None:
        number += 1
        suffix = f"-{number}"
        name = slug[: datajson.ORG_NAME_MAX_LENGTH - len(suffix)] + suffix
    return name


def create_organization(agent: AgentDescription, user: str) -> str:
    """Create the organization of an agent no local organization matches.

    :raises ckan.logic.ValidationError: when the agent has no name
    """
    skpd = datajson.parse_skpd(agent.title or agent.abbreviation)
    if skpd is None:
        raise tk.ValidationError(
            {
                "publisher": [
                    tk._(
                        "The agent {uri} has no foaf:name, so no SKPD "
                        "organization can be created for it."
                    ).format(uri=agent.uri)
                ]
            }
        )
    data: dict[str, Any] = {"name": _free_name(skpd.slug), "title": agent.title}
    if agent.abbreviation:
        data["abbreviation"] = agent.abbreviation
    if agent.skpd_code:
        data["skpd_code"] = agent.skpd_code
    if agent.kind in vocab.codes("skpd_kind"):
        data["kind"] = agent.kind
    if agent.satu_data_role in vocab.codes("satu_data_role"):
        data["satu_data_role"] = agent.satu_data_role
    context = {"user": user, "ignore_auth": True}
    org = tk.get_action("organization_create")(context, data)
    log.info("Created organization %s for agent %s", org["name"], agent.uri)
    return org["id"]
