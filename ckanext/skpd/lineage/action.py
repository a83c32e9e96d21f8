"""Action API of the lineage and integration views.

Every action runs a number of queries that does not depend on the
size of the graph or of the catalogue, and leaves out, or replaces by an
anonymous placeholder, every dataset the caller may not read.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.skpd.lineage import (
    authority,
    config,
    flows,
    graph,
    inventory,
    schema,
    store,
)
from ckanext.skpd.lineage.access import viewer_for

log = logging.getLogger(__name__)
_ = tk._


@tk.side_effect_free
@validate(schema.lineage_show)
def skpd_lineage_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return the lineage graph around one dataset.

    Nodes are datasets (``kind`` ``dataset``, with id, name, title, owning
    SKPD, availability forms, access level and domains), placeholders for
    datasets the caller may not read (``restricted``: an opaque id and
    nothing else), upstream ids that name no dataset or a deleted one
    (``missing``) and upstream URIs outside the catalogue (``external``).
    Edges point from the upstream to the downstream dataset and carry the
    relation type. Downstream links are derived from the upstream links the
    other datasets record, so they are always current.

    :param id: the id or name of the dataset
    :type id: string
    :param direction: ``up`` (what the dataset is built from), ``down``
        (what is built from it) or ``both`` (optional, default: ``both``)
    :type direction: string
    :param depth: how many links to follow, from 1 to
        ``ckanext.skpd.lineage.max_depth`` (optional, default: 1)
    :type depth: int
    :param relation: follow only these relation types, a list or
        comma-separated codes (optional)
    :type relation: list of strings
    :param domain: keep only datasets of this domain code; the dataset
        itself and restricted placeholders always stay (optional)
    :type domain: string

    :returns: ``root`` (the dataset id), ``nodes``, ``edges``,
        ``withheld`` (how many nodes are restricted placeholders),
        ``missing``, and ``truncated`` (true when
        ``ckanext.skpd.lineage.max_nodes`` cut the graph)
    :rtype: dictionary
    :raises: :py:class:`ckan.logic.NotFound` if no dataset has that id or name
    """
    tk.check_access("skpd_lineage_show", context, data_dict)

    root = store.find_dataset(data_dict["id"])
    if root is None or root.state == "deleted":
        raise tk.ObjectNotFound(_("Dataset not found"))
    options = graph.Options(
        direction=data_dict["direction"],
        depth=data_dict["depth"],
        relations=frozenset(data_dict.get("relation") or ()),
        domain=data_dict.get("domain"),
        max_nodes=config.max_nodes(),
    )
    result = graph.lineage_graph(root, viewer_for(context), options)

    log.debug("Lineage of %s: %d nodes", root.id, len(result["nodes"]))
    return {
        "root": root.id,
        "direction": options.direction,
        "depth": options.depth,
        "relation": sorted(options.relations),
        "domain": options.domain,
        **result,
    }


@tk.side_effect_free
@validate(schema.flow_graph_show)
def skpd_flow_graph_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return the graph of data flows between SKPD.

    Nodes are organizations with the number of their datasets the caller
    may read (``datasets``) and of lineage links inside the SKPD
    (``internal``). An edge from SKPD A to SKPD B stands for A's datasets
    that reach B, through a lineage link (a dataset of B is built from it)
    or an exchange need (B needs it). ``weight`` counts those datasets,
    ``lineage`` and ``exchange`` count them per path, ``relations`` and
    ``statuses`` count the links and needs by type.

    :param domain: count only datasets of this domain code (optional)
    :type domain: string
    :param source: with ``target``: the id or name of the providing SKPD
        whose links to ``target`` are listed under ``links`` (optional)
    :type source: string
    :param target: with ``source``: the id or name of the receiving SKPD
        (optional)
    :type target: string

    :returns: ``nodes``, ``edges``, ``withheld`` (how many datasets the
        caller may not read took part in a flow and were left out), and
        ``links`` when ``source`` and ``target`` are given
    :rtype: dictionary
    """
    tk.check_access("skpd_flow_graph_show", context, data_dict)

    pair = _pair(data_dict, "source", "target")

    return flows.flow_graph(viewer_for(context), data_dict.get("domain"), pair)


@tk.side_effect_free
@validate(schema.exchange_matrix_show)
def skpd_exchange_matrix_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return the exchange needs as a matrix of provider by consumer SKPD.

    Each exchange need recorded on a dataset is a need of its consumer from
    the dataset's owner. A cell counts the needs of one pair per exchange
    status. ``unmet`` lists the needs that the dataset does not meet as
    recorded, each with its reasons: ``method_not_offered`` (the dataset
    does not offer the exchange method asked for), ``hardcopy_only`` (an
    electronic exchange is asked for and the dataset exists only on paper)
    and ``cadence_too_slow`` (the dataset is updated less often than
    needed, irregularly, or with no stated cadence).

    :param domain: count only datasets of this domain code (optional)
    :type domain: string
    :param provider: with ``consumer``: the id or name of the providing
        SKPD whose needs are listed under ``needs`` (optional)
    :type provider: string
    :param consumer: with ``provider``: the id or name of the consuming
        SKPD (optional)
    :type consumer: string

    :returns: ``statuses`` (the status codes), ``providers``,
        ``consumers``, ``cells``, ``unmet``, ``withheld`` (how many datasets
        with needs the caller may not read were left out), and ``needs``
        when ``provider`` and ``consumer`` are given
    :rtype: dictionary
    """
    tk.check_access("skpd_exchange_matrix_show", context, data_dict)

    pair = _pair(data_dict, "provider", "consumer")

    return flows.exchange_matrix(viewer_for(context), data_dict.get("domain"), pair)


@tk.side_effect_free
@validate(schema.authority_matrix_show)
def skpd_authority_matrix_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return which SKPD holds which authority role over a set of datasets.

    The set is a dataset search with the caller's permissions, narrowed by
    the optional parameters. Roles are those of the ``authority_roles``
    field, plus ``owner`` for the producer (or the owning SKPD when no
    producer is named) and ``custodian`` for the custodian.

    :param q: a search query, as for ``package_search`` (optional)
    :type q: string
    :param fq: a filter query, as for ``package_search`` (optional)
    :type fq: string
    :param organization: only datasets owned by this SKPD, id or name
        (optional)
    :type organization: string
    :param holder: only datasets over which this SKPD holds a role in
        ``authority_roles``, id or name (optional)
    :type holder: string
    :param others_only: with ``holder``: leave out the holder's own
        datasets (optional, default: false)
    :type others_only: bool
    :param domain: only datasets of this domain code (optional)
    :type domain: string

    :returns: ``count`` (datasets matched), ``truncated`` (true when more
        than ``ckanext.skpd.lineage.authority_max_rows`` matched and the
        list was cut), ``roles`` (the role codes in order),
        ``organizations`` (each role-holding SKPD with its count per role)
        and ``datasets`` (each with ``roles``: SKPD id to role codes)
    :rtype: dictionary
    """
    tk.check_access("skpd_authority_matrix_show", context, data_dict)

    return authority.authority_matrix(context, data_dict, config.authority_max_rows())


@tk.side_effect_free
@validate(schema.inventory_show)
def skpd_inventory_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return the data inventory of one SKPD and its exchanges with others.

    The SKPD's datasets that the caller may read are counted by rung of the
    digitisation ladder (the most digital availability form of each
    dataset, from raw hardcopy up to an information-system database), by
    availability form, by collection method and by cadence, each with how
    many have complete metadata. A dataset's metadata is complete when it
    has a description, collection method, cadence (for routine and periodic
    collection), collection technique, availability form, domain, access
    level, concept, definition and unit of measure.

    :param id: the id or name of the organization
    :type id: string

    :returns: ``organization``, ``total``, ``complete``,
        ``complete_share`` (0 to 1, null without datasets), ``ladder``,
        ``availability_forms``, ``collection_method``, ``cadence`` (each a
        list of ``{code, count, complete}``; ``not_stated`` for an empty
        field), ``missing_fields`` (field name to the number of datasets
        lacking it), ``datasets``, ``roles_over_others`` (datasets of other
        SKPD over which this one holds a role), ``provides_to`` (needs of
        other SKPD for this SKPD's datasets) and ``needs_from`` (this SKPD's
        needs for other SKPD's datasets), the needs with their ``reasons``
        as in ``skpd_exchange_matrix_show``
    :rtype: dictionary
    :raises: :py:class:`ckan.logic.NotFound` if no organization has that
        id or name
    """
    tk.check_access("skpd_inventory_show", context, data_dict)

    org = store.organizations([data_dict["id"]]).get(data_dict["id"])
    if org is None or org["state"] != "active":
        raise tk.ObjectNotFound(_("Organization not found"))

    return inventory.inventory(org, viewer_for(context))


def _pair(data_dict: DataDict, first: str, second: str) -> tuple[str, str] | None:
    given = [data_dict.get(first), data_dict.get(second)]
    if not any(given):
        return None
    if not all(given):
        missing = second if given[0] else first
        raise tk.ValidationError(
            {
                missing: [
                    _("Give both {first} and {second}, or neither.").format(
                        first=first, second=second
                    )
                ]
            }
        )
    return (str(given[0]), str(given[1]))
