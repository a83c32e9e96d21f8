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
import sqlalchemy as sa
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
        self.user_obj: model.User | None = context.get("auth_user_obj") or (
            model.User.get(user_name) if user_name else None
        )
        self.sees_all = bool(context.get("ignore_auth")) or bool(
            user_name and authz.is_sysadmin(user_name)
        )
        self._plugin = get_permission_labels()
        self.labels: frozenset[str] = (
            frozenset()
            if self.sees_all
            else frozenset(self._plugin.get_user_dataset_labels(self.user_obj))
        )
        user_id = self.user_obj.id if self.user_obj else ""
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

    def readable_clause(self, table: Any) -> sa.ColumnElement[bool] | None:
        """Return a SQL condition on ``table`` (the package table) for reading.

        ``None`` means that every row is readable. The condition is only
        available while CKAN's default permission labels are in force; call
        :py:meth:`filter_rows` otherwise.
        """
        if self.sees_all:
            return None
        if not self.labels_are_default():
            raise RuntimeError("SQL visibility needs the default permission labels")

        is_public = sa.and_(
            table.c.state == "active",
            sa.func.coalesce(table.c.private, False).is_(False),
        )
        orgs, creators, collaborations = _split_labels(self.labels)
        private_read = [
            table.c.owner_org.in_(orgs),
            sa.and_(table.c.owner_org.is_(None), table.c.creator_user_id.in_(creators)),
        ]
        if authz.check_config_permission("allow_dataset_collaborators"):
            private_read.append(table.c.id.in_(collaborations))
        readable_private = sa.and_(sa.not_(is_public), sa.or_(*private_read))
        if "public" in self.labels:
            return sa.or_(is_public, readable_private)
        return readable_private

    def labels_are_default(self) -> bool:
        return type(self._plugin) is DefaultPermissionLabels

    def filter_rows(self, rows: Iterable[Any]) -> list[Any]:
        """Keep the rows (with the columns of :py:class:`DatasetLike`) readable."""
        return [row for row in rows if self.can_read(row)]


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
