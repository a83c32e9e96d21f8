"""Lineage links and exchange needs kept as table rows, with their flow totals.

Scheming stores the ``lineage`` and ``exchange_needs`` of a dataset as JSON
text in the package's extras. Counting the SKPD flow graph or the exchange
matrix from that text would parse every dataset's lists at every request,
so two tables are kept up to date instead, in the transaction that changes
a dataset:

``skpd_link``
    one row per lineage entry (``kind`` "lineage": ``target`` is the
    upstream id or URI, ``code`` the relation) and per exchange need
    (``kind`` "need": ``target`` is the consumer SKPD, ``code`` the status).
    The owning SKPD, visibility, creator and domains of the dataset at each
    end are copied into the row, so counting needs no join with
    ``package``. ``src`` and ``dst`` are the SKPD the data flows from and
    to, ``item`` the dataset a flow counts (the upstream of a link, the
    providing dataset of a need). ``usable`` marks rows that take part in
    the flow views: both datasets active, both SKPD known, and a need's
    consumer other than its provider. ``public`` marks the usable rows
    whose datasets are all public, ``unmet`` the needs that the dataset
    does not meet as recorded (the reasons are in ``detail``).
``skpd_flow``
    for each pair of SKPD and each domain (the empty domain is all), the
    counts over the public rows (``audience`` "public") and over all usable
    rows (``audience`` "all", for sysadmins). They are distinct datasets in
    all, by lineage and by exchange need, lineage links, unmet needs, and
    links and needs per code; ``doc`` has the same counts as JSON text,
    in the shape the flow views read. Rows with ``src`` equal to ``dst`` hold the links
    inside one SKPD.
``skpd_link_state``
    one row whose ``generation`` grows with every change to the tables,
    and a random ``token`` made when the row is, so that a database
    emptied and filled again does not repeat a fingerprint. The lineage
    cache uses both as the catalogue's fingerprint.

Every viewer reads the public totals; per request, only the rows that
touch a private dataset of the viewer's own SKPD are added, with the
viewer's permissions (:py:mod:`ckanext.skpd.lineage.aggregate`).

The tables follow every change to a ``package`` row made through CKAN's
ORM session: create, update and patch, delete, purge, bulk privacy
changes and moves to another SKPD. Session listeners note the datasets of
each flush; before the commit, one listener takes a transaction-wide
advisory lock, so that concurrent writers update the totals one after the
other and each sees the rows the other committed. It then notes the SKPD
pairs the old rows counted in, rewrites the rows of the noted datasets,
refreshes the copies held by rows that point at them, and recounts the
pairs before and after. ``ckan skpd rebuild-links`` recomputes everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session

from ckanext.skpd.lineage import store

log = logging.getLogger(__name__)

LINEAGE = "lineage"
NEED = "need"

# The key of the transaction-wide advisory lock that orders writers.
_LOCK_KEY = 7_325_104_113

link_table = sa.Table(
    "skpd_link",
    meta.metadata,
    sa.Column("dataset_id", sa.UnicodeText, primary_key=True),
    sa.Column("kind", sa.UnicodeText, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("target", sa.UnicodeText, nullable=False),
    sa.Column("code", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("detail", JSONB),
    sa.Column("down_org", sa.UnicodeText),
    sa.Column("down_private", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("down_active", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("down_creator", sa.UnicodeText),
    sa.Column(
        "down_domains", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"
    ),
    sa.Column("up_org", sa.UnicodeText),
    sa.Column("up_private", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("up_active", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("up_creator", sa.UnicodeText),
    sa.Column("up_domains", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"),
    sa.Column("src", sa.UnicodeText),
    sa.Column("dst", sa.UnicodeText),
    sa.Column("item", sa.UnicodeText),
    sa.Column("usable", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("public", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("unmet", sa.Boolean, nullable=False, server_default="false"),
)

flow_table = sa.Table(
    "skpd_flow",
    meta.metadata,
    sa.Column("audience", sa.UnicodeText, primary_key=True),
    sa.Column("domain", sa.UnicodeText, primary_key=True),
    sa.Column("src", sa.UnicodeText, primary_key=True),
    sa.Column("dst", sa.UnicodeText, primary_key=True),
    sa.Column("weight", sa.Integer, nullable=False),
    sa.Column("lineage", sa.Integer, nullable=False),
    sa.Column("exchange", sa.Integer, nullable=False),
    sa.Column("links", sa.Integer, nullable=False),
    sa.Column("unmet", sa.Integer, nullable=False),
    sa.Column("relations", JSONB, nullable=False),
    sa.Column("statuses", JSONB, nullable=False),
    sa.Column("doc", sa.UnicodeText, nullable=False),
)

state_table = sa.Table(
    "skpd_link_state",
    meta.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False),
    sa.Column("token", sa.UnicodeText, nullable=False),
)

# The extras a row is built from.
_EXTRAS = (
    "lineage",
    "exchange_needs",
    "domains",
    "exchange_methods",
    "availability_forms",
    "cadence",
)

# The session info key for the ids of the datasets flushed since the last
# commit.
_INFO_IDS = "skpd_link_ids"


# -- what a dataset looks like in the rows ---------------------------------


class _Dataset:
    """The columns of one ``package`` row that the link rows copy."""

    def __init__(self, row: Any) -> None:
        self.id: str = row.id
        self.name: str = row.name
        self.title: str | None = row.title
        self.owner_org: str | None = row.owner_org or None
        self.private = bool(row.private)
        self.active = row.state == "active" and row.type == store.DATASET_TYPE
        self.creator: str | None = row.creator_user_id
        self.domains = sorted({str(d) for d in store.json_list(row.domains) if d})
        # The extras read as text, for the unmet-need reasons.
        self.exchange_methods = row.exchange_methods
        self.availability_forms = row.availability_forms
        self.cadence = row.cadence
        self.lineage = row.lineage
        self.exchange_needs = row.exchange_needs


def _read(connection: Any, ids: Collection[str]) -> dict[str, _Dataset]:
    if not ids:
        return {}
    table = model.package_table
    columns = [
        table.c.id,
        table.c.name,
        table.c.title,
        table.c.owner_org,
        table.c.private,
        table.c.state,
        table.c.type,
        table.c.creator_user_id,
    ]
    columns += [table.c.extras[key].astext.label(key) for key in _EXTRAS]
    query = sa.select(*columns).where(table.c.id.in_(sorted(ids)))
    return {row.id: _Dataset(row) for row in connection.execute(query)}


def _up_values(up: _Dataset | None) -> dict[str, Any]:
    if up is None:
        return {
            "up_org": None,
            "up_private": False,
            "up_active": False,
            "up_creator": None,
            "up_domains": [],
        }
    return {
        "up_org": up.owner_org,
        "up_private": up.private,
        "up_active": up.active,
        "up_creator": up.creator,
        "up_domains": up.domains,
    }


def _lineage_rows(down: _Dataset, ups: dict[str, _Dataset]) -> list[dict[str, Any]]:
    rows = []
    for seq, entry in enumerate(store.json_dicts(down.lineage)):
        upstream = entry.get("upstream")
        if not upstream or not isinstance(upstream, str):
            continue
        up = ups.get(upstream)
        row = {
            "dataset_id": down.id,
            "kind": LINEAGE,
            "seq": seq,
            "target": upstream,
            "code": str(entry.get("relation") or ""),
            "detail": None,
            "unmet": False,
            **_down_values(down),
            **_up_values(up),
            "item": upstream,
        }
        rows.append(_with_flags(row))
    return rows


def _need_rows(down: _Dataset) -> list[dict[str, Any]]:
    # Imported here: flows imports the aggregate queries, which import this
    # module.
    from ckanext.skpd.lineage.flows import unmet_reasons

    rows = []
    for seq, need in enumerate(store.json_dicts(down.exchange_needs)):
        consumer = need.get("consumer")
        if not consumer or not isinstance(consumer, str):
            continue
        detail = {key: need.get(key) for key in ("purpose", "frequency", "method")}
        detail.update(
            reasons=unmet_reasons(down, need), name=down.name, title=down.title
        )
        row = {
            "unmet": bool(detail["reasons"]),
            "dataset_id": down.id,
            "kind": NEED,
            "seq": seq,
            "target": consumer,
            "code": str(need.get("status") or ""),
            "detail": detail,
            **_down_values(down),
            **_up_values(None),
            "item": down.id,
        }
        rows.append(_with_flags(row))
    return rows


def _down_values(down: _Dataset) -> dict[str, Any]:
    return {
        "down_org": down.owner_org,
        "down_private": down.private,
        "down_active": down.active,
        "down_creator": down.creator,
        "down_domains": down.domains,
    }


def _with_flags(row: dict[str, Any]) -> dict[str, Any]:
    """Fill in ``src``, ``dst``, ``usable`` and ``public`` of a link row."""
    if row["kind"] == LINEAGE:
        row["src"], row["dst"] = row["up_org"], row["down_org"]
        usable = bool(
            row["down_active"] and row["up_active"] and row["src"] and row["dst"]
        )
        public = usable and not row["down_private"] and not row["up_private"]
    else:
        row["src"], row["dst"] = row["down_org"], row["target"]
        usable = bool(row["down_active"] and row["src"] and row["src"] != row["dst"])
        public = usable and not row["down_private"]
    row["usable"], row["public"] = usable, public
    return row


# -- keeping the tables up to date -----------------------------------------

_PAIRS_OF = sa.text(
    "SELECT DISTINCT src, dst FROM skpd_link"
    " WHERE (dataset_id = ANY(:ids) OR (kind = 'lineage' AND target = ANY(:ids)))"
    " AND usable"
)

# Rows of other datasets whose upstream is one of the changed datasets take
# the upstream's new columns. The flags follow _with_flags.
_REFRESH_UPSTREAM = sa.text(
    """
UPDATE skpd_link SET
  up_org = :up_org, up_private = :up_private, up_active = :up_active,
  up_creator = :up_creator, up_domains = CAST(:up_domains AS text[]),
  src = :up_org,
  usable = down_active AND :up_active AND down_org IS NOT NULL
           AND CAST(:up_org AS text) IS NOT NULL,
  public = down_active AND :up_active AND down_org IS NOT NULL
           AND CAST(:up_org AS text) IS NOT NULL
           AND NOT down_private AND NOT :up_private
WHERE kind = 'lineage' AND target = :target
"""
)

# Recount the totals of some pairs of SKPD for one audience, for every
# domain.
_RECOUNT = sa.text(
    """
WITH wanted AS (
  SELECT * FROM unnest(CAST(:srcs AS text[]), CAST(:dsts AS text[])) AS w(src, dst)
),
pub AS (
  SELECT d.domain, l.src, l.dst, l.item, l.kind, l.code, l.unmet
  FROM skpd_link l
  JOIN wanted w ON w.src = l.src AND w.dst = l.dst
  CROSS JOIN LATERAL (
    SELECT DISTINCT x FROM unnest(
      ARRAY[''] || l.down_domains
      || CASE WHEN l.kind = 'lineage' THEN l.up_domains ELSE '{}' END
    ) AS x
  ) AS d(domain)
  WHERE CASE WHEN :audience = 'public' THEN l.public ELSE l.usable END
),
items AS (
  SELECT domain, src, dst, item,
         bool_or(kind = 'lineage') AS by_lineage, bool_or(kind = 'need') AS by_need
  FROM pub GROUP BY domain, src, dst, item
),
codes AS (
  SELECT domain, src, dst,
    coalesce(sum(n) FILTER (WHERE kind = 'lineage'), 0) AS links,
    coalesce(sum(unmet) FILTER (WHERE kind = 'need'), 0) AS unmet,
    coalesce(jsonb_object_agg(code, n) FILTER (WHERE kind = 'lineage'), '{}')
      AS relations,
    coalesce(jsonb_object_agg(code, n) FILTER (WHERE kind = 'need'), '{}')
      AS statuses
  FROM (
    SELECT domain, src, dst, kind, code, count(*) AS n,
           count(*) FILTER (WHERE unmet) AS unmet
    FROM pub GROUP BY domain, src, dst, kind, code
  ) AS c GROUP BY domain, src, dst
)
INSERT INTO skpd_flow
  (audience, domain, src, dst, weight, lineage, exchange, links, unmet,
   relations, statuses, doc)
SELECT :audience, i.domain, i.src, i.dst, i.weight, i.lineage, i.exchange,
       c.links, c.unmet, c.relations, c.statuses,
       json_build_array(i.src, i.dst, c.links, c.unmet, json_build_object(
         'weight', i.weight, 'lineage', i.lineage, 'exchange', i.exchange,
         'relations', c.relations, 'statuses', c.statuses))::text
FROM (
  SELECT domain, src, dst, count(*) AS weight,
         count(*) FILTER (WHERE by_lineage) AS lineage,
         count(*) FILTER (WHERE by_need) AS exchange
  FROM items GROUP BY domain, src, dst
) AS i
JOIN codes c USING (domain, src, dst)
"""
)

_FORGET = sa.text(
    """
DELETE FROM skpd_flow f
USING unnest(CAST(:srcs AS text[]), CAST(:dsts AS text[])) AS w(src, dst)
WHERE f.src = w.src AND f.dst = w.dst
"""
)

_BUMP = sa.text(
    "INSERT INTO skpd_link_state (id, generation, token)"
    " VALUES (1, 1, gen_random_uuid()::text)"
    " ON CONFLICT (id) DO UPDATE SET generation = skpd_link_state.generation + 1"
)


def sync(connection: Any, ids: Collection[str], before: set[tuple[str, str]]) -> None:
    """Bring the rows of datasets ``ids``, and the totals, up to date.

    ``before`` contains the pairs of SKPD that rows of these datasets
    counted in before the change. The caller holds the advisory lock. A purged
    dataset loses its rows, and rows naming it as upstream mark it missing.
    """
    ids = sorted(set(ids))
    changed = _rewrite(connection, ids)
    connection.execute(
        _REFRESH_UPSTREAM,
        [dict(_up_values(changed.get(i)), target=i) for i in ids],
    )

    after = _pairs(connection, ids)
    recount(connection, before | after)
    connection.execute(_BUMP)


def _rewrite(connection: Any, ids: list[str]) -> dict[str, _Dataset]:
    """Replace the rows of datasets ``ids``; return the datasets found."""
    changed = _read(connection, ids)
    upstream_ids = {
        entry.get("upstream")
        for dataset in changed.values()
        for entry in store.json_dicts(dataset.lineage)
        if isinstance(entry.get("upstream"), str)
    }
    ups = dict(changed)
    ups.update(_read(connection, upstream_ids - changed.keys()))

    connection.execute(link_table.delete().where(link_table.c.dataset_id.in_(ids)))
    rows = []
    for dataset in changed.values():
        rows += _lineage_rows(dataset, ups)
        rows += _need_rows(dataset)
    if rows:
        connection.execute(link_table.insert(), rows)
    return changed


def _pairs(connection: Any, ids: Collection[str]) -> set[tuple[str, str]]:
    if not ids:
        return set()
    result = connection.execute(_PAIRS_OF, {"ids": list(ids)})
    return {(row.src, row.dst) for row in result}


AUDIENCES = ("public", "all")


def recount(connection: Any, pairs: Iterable[tuple[str, str]]) -> None:
    """Recount the totals of these pairs of SKPD, for both audiences."""
    wanted = sorted(set(pairs))
    if not wanted:
        return
    params = {"srcs": [p[0] for p in wanted], "dsts": [p[1] for p in wanted]}
    connection.execute(_FORGET, params)
    for audience in AUDIENCES:
        connection.execute(_RECOUNT, dict(params, audience=audience))


def rebuild(connection: Any, batch: int = 2000) -> int:
    """Recompute both tables from every dataset; return the number of rows.

    Used by the migration that creates the tables and by
    ``ckan skpd rebuild-links``. Runs in the caller's transaction.
    """
    _lock(connection)
    connection.execute(link_table.delete())
    connection.execute(flow_table.delete())
    ids = [row.id for row in connection.execute(sa.select(model.package_table.c.id))]
    for start in range(0, len(ids), batch):
        _rewrite(connection, ids[start : start + batch])
    pairs = connection.execute(
        sa.text("SELECT DISTINCT src, dst FROM skpd_link WHERE usable")
    )
    recount(connection, {(row.src, row.dst) for row in pairs})
    connection.execute(_BUMP)
    # Give the planner the new tables' statistics at once.
    connection.execute(sa.text("ANALYZE skpd_link, skpd_flow"))
    count = connection.execute(sa.select(sa.func.count()).select_from(link_table))
    return int(count.scalar() or 0)


def _lock(connection: Any) -> None:
    connection.execute(
        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}
    )


# -- session listeners ----------------------------------------------------

_available: dict[str, Any] = {"checked": 0.0, "value": False}


def available(connection: Any | None = None) -> bool:
    """Tell whether the tables exist (the plugin's migration has run).

    A missing table is looked for again after a minute, so running the
    migration on a live site takes effect without a restart.
    """
    if _available["value"]:
        return True
    now = time.monotonic()
    if _available["checked"] and now - _available["checked"] < 60:
        return False
    connection = connection if connection is not None else model.Session.connection()
    found = connection.execute(
        sa.text("SELECT to_regclass('skpd_link_state') IS NOT NULL")
    ).scalar()
    _available.update(checked=now, value=bool(found))
    if not found:
        log.warning(
            "The skpd_link tables are missing; run 'ckan db upgrade -p skpd'."
            " The flow views count from the extras until then."
        )
    return bool(found)


def forget_availability() -> None:
    """Check again for the tables at the next use (after tables are dropped)."""
    _available.update(checked=0.0, value=False)


def _flushed_ids(session: Session) -> set[str]:
    ids = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, model.Package) and obj.id:
            ids.add(obj.id)
    return ids


def _after_flush(session: Session, flush_context: Any) -> None:
    # The new, dirty and deleted lists still hold what was flushed, and new
    # datasets have their ids by now.
    ids = _flushed_ids(session)
    if ids:
        session.info.setdefault(_INFO_IDS, set()).update(ids)


def _before_commit(session: Session) -> None:
    if not session.info.get(_INFO_IDS):
        return
    # Flush what is pending, so its datasets are counted too.
    session.flush()
    ids = session.info.pop(_INFO_IDS, set())
    if ids:
        refresh(session.connection(), ids)


def refresh(connection: Any, ids: Collection[str]) -> None:
    """Bring the rows of datasets ``ids`` up to date, in the caller's transaction.

    For changes made outside CKAN's session, such as ckanext-harvest's
    ``harvest_source_clear``, which deletes datasets with its own SQL.
    """
    if not ids or not available(connection):
        return
    _lock(connection)
    sync(connection, ids, _pairs(connection, ids))


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_INFO_IDS, None)


def listen() -> None:
    """Register the session listeners once."""
    for name, handler in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not sa.event.contains(model.Session, name, handler):
            sa.event.listen(model.Session, name, handler)


def generation() -> str | None:
    """Return the token and change counter of the tables, or None without them."""
    if not available():
        return None
    row = model.Session.execute(
        sa.text("SELECT token, generation FROM skpd_link_state WHERE id = 1")
    ).first()
    return f"{row.token}-{row.generation}" if row else None
