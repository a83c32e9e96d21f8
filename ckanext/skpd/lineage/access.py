"""Which datasets the viewer of a lineage graph or matrix may read.

Visibility follows CKAN's permission labels, the mechanism ``package_search``
uses: a dataset is readable when one of its labels is among the viewer's
labels, and sysadmins (or callers that skip authorization) read everything.
The labels of the viewer are computed once per request; the labels of a
dataset need no query.

For the catalogue-wide aggregates the same rule is also expressed in SQL,
so that PostgreSQL filters the rows. That translation mirrors
``ckan.lib.plugins.DefaultPermissionLabels`` (CKAN 2.12) and is used only
when that default is in force; a site with its own ``IPermissionLabels``
plugin gets the rows filtered in Python through the plugin.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any, Protocol

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultPermissionLabels, get_permission_labels
from ckan.types import Context


class DatasetLike(Protocol):
    """The columns of ``package`` that permission labels look at."""

    id: str
    state: str
    private: bool
    owner_org: str | None
    creator_user_id: str | None


class Viewer:
    """The user a graph or matrix is computed for."""

    def __init__(self, context: Context) -> None:
        user_name = context.get("user")
        user_obj = context.get("auth_user_obj")
        if user_obj is None and user_name:
            user_obj = model.User.get(user_name)
        self.user_obj: Any = user_obj
        self.sees_all = bool(context.get("ignore_auth")) or bool(
            getattr(user_obj, "sysadmin", False)
        )
        self._plugin = get_permission_labels()
        self.labels: frozenset[str] = (
            frozenset()
            if self.sees_all
            else frozenset(self._plugin.get_user_dataset_labels(user_obj))
        )
        user_id = getattr(user_obj, "id", None) or ""
        self._key = hmac.new(
            str(tk.config.get("SECRET_KEY") or "").encode("utf-8"),
            user_id.encode("utf-8"),
            hashlib.sha256,
        ).digest()

    def can_read(self, dataset: DatasetLike) -> bool:
        """Return whether the viewer may read ``dataset``."""
        if self.sees_all:
            return True
        return not self.labels.isdisjoint(self._plugin.get_dataset_labels(dataset))

    def placeholder(self, kind: str, dataset_id: str) -> str:
        """Return an opaque node id for a dataset the viewer may not see.

        The id is the same for the same viewer and dataset in every
        response, so a client can merge graphs, but reveals nothing of the
        dataset id and differs between viewers.
        """
        digest = hmac.new(self._key, dataset_id.encode("utf-8"), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:20]}"

    def readable_sql(self, alias: str) -> tuple[str, dict[str, Any]]:
        """Return a SQL condition on the package row ``alias``, and its parameters.

        The condition holds for the rows the viewer may read. It is only
        available while CKAN's default permission labels are in force (see
        :py:meth:`labels_are_default`).
        """
        if self.sees_all:
            return "TRUE", {}
        if not self.labels_are_default():
            raise RuntimeError("SQL visibility needs the default permission labels")

        a = alias
        condition = (
            f"CASE WHEN {a}.state = 'active' AND NOT coalesce({a}.private, false)"
            " THEN :skpd_public"
            f" ELSE ({a}.owner_org = ANY(:skpd_orgs)"
            f" OR ({a}.owner_org IS NULL"
            f" AND {a}.creator_user_id = ANY(:skpd_creators))"
            f" OR {a}.id = ANY(:skpd_collaborations)) END"
        )
        params = self._label_params("skpd")
        params["skpd_public"] = "public" in self.labels
        return condition, params

    def link_labels(self) -> tuple[list[str], list[str]]:
        """Return the SKPD ids and the dataset ids of the viewer's labels.

        These are the ``member-`` and ``collaborator-`` labels (the latter
        only when dataset collaborators are enabled), for the queries over
        the link tables (:py:mod:`ckanext.skpd.lineage.aggregate`).
        """
        params = self._label_params("x")
        return params["x_orgs"], params["x_collaborations"]

    def _label_params(self, prefix: str) -> dict[str, Any]:
        orgs, creators, collaborations = _split_labels(self.labels)
        if not authz.check_config_permission("allow_dataset_collaborators"):
            collaborations = []
        return {
            f"{prefix}_orgs": orgs,
            f"{prefix}_creators": creators,
            f"{prefix}_collaborations": collaborations,
        }

    def labels_are_default(self) -> bool:
        return type(self._plugin) is DefaultPermissionLabels


def _split_labels(labels: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    orgs: list[str] = []
    creators: list[str] = []
    collaborations: list[str] = []
    for label in labels:
        prefix, _sep, value = label.partition("-")
        if prefix == "member":
            orgs.append(value)
        elif prefix == "creator":
            creators.append(value)
        elif prefix == "collaborator":
            collaborations.append(value)
    return orgs, creators, collaborations


_CONTEXT_KEY = "skpd_lineage_viewer"


def viewer_for(context: Context) -> Viewer:
    """Return the viewer of ``context``, computing their labels once per call.

    The auth function and the action of one call share the context, so the
    viewer's permission labels, which take several queries, are computed
    once for both.
    """
    identity = (context.get("user"), bool(context.get("ignore_auth")))
    stored = context.get(_CONTEXT_KEY)  # type: ignore[misc]
    if stored is not None and stored[0] == identity:
        return stored[1]
    viewer = Viewer(context)
    context[_CONTEXT_KEY] = (identity, viewer)  # type: ignore[literal-required]
    return viewer
