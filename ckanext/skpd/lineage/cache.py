"""A cache for the catalogue-wide counts, exact under any change of a dataset.

Counting flows and needs over a whole catalogue costs time in proportion to
the catalogue. The counts change only when a dataset changes, so they are
kept in Redis under a key made of:

- the catalogue's fingerprint: the change counter of the link tables
  (:py:mod:`ckanext.skpd.lineage.links`), which grows in the transaction
  of every change to a dataset, with the random token of that counter.
  Without those tables, the number of datasets and a hash over the id,
  state, privacy, owning SKPD and ``metadata_modified`` of every dataset,
  computed by one query;
- what the viewer may read (their permission labels, or "all");
- the request's own parameters (such as the domain).

So an entry is never used after a change it does not reflect; entries also
expire after ``ckanext.skpd.lineage.cache_seconds``. Organization names and
titles are not cached, they are read at every request. When Redis cannot be
reached the counts are computed every time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from ckanext.skpd.lineage import config, links
from ckanext.skpd.lineage.access import Viewer

log = logging.getLogger(__name__)

_FINGERPRINT = sa.text(
    "SELECT count(*) AS n, coalesce(sum(hashtext(concat_ws('|', id, state,"
    " private::text, owner_org, metadata_modified::text))), 0) AS h"
    " FROM package WHERE type = 'dataset'"
)


def fingerprint() -> str:
    """Return a value that changes whenever any dataset changes (one query)."""
    generation = links.generation()
    if generation is not None:
        return f"g{generation}"
    row = model.Session.execute(_FINGERPRINT).one()
    return f"{row.n}-{row.h}"


def _key(kind: str, viewer: Viewer, params: dict[str, Any]) -> str:
    audience = "all" if viewer.sees_all else ",".join(sorted(viewer.labels))
    digest = hashlib.sha256(
        json.dumps([fingerprint(), audience, params], sort_keys=True).encode("utf-8")
    ).hexdigest()
    return "{}:skpd:lineage:{}:{}".format(tk.config["ckan.site_id"], kind, digest)


def cached(
    kind: str,
    viewer: Viewer,
    params: dict[str, Any],
    compute: Callable[[], Any],
) -> Any:
    """Return ``compute()``, from the cache when the catalogue has not changed.

    ``compute`` must return a value that JSON keeps as it is (lists, dicts
    with string keys, strings, numbers).
    """
    seconds = config.cache_seconds()
    if seconds <= 0:
        return compute()
    key = _key(kind, viewer, params)
    try:
        redis = connect_to_redis()
        stored = redis.get(key)
    except RedisError as err:
        log.warning("Lineage cache unavailable, computing %s: %s", kind, err)
        return compute()
    if stored is not None:
        return json.loads(stored)

    value = compute()
    try:
        redis.set(key, json.dumps(value), ex=seconds)
    except RedisError as err:
        log.warning("Could not store %s in the lineage cache: %s", kind, err)
    return value
