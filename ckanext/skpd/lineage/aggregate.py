"""Catalogue-wide counts computed inside PostgreSQL.

The SKPD flow graph and the exchange matrix count links and needs over the
whole catalogue. Reading every dataset into Python would cost time in
proportion to the catalogue, so these queries expand the JSON list extras
and count in the database, returning one row per count. The permission
rule is part of the query (:py:meth:`Viewer.readable_sql`), which is why
these queries are used only with CKAN's default permission labels; the
callers fall back to counting in Python otherwise, and when a stored extra
is not valid JSON (``ValueError`` here).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.skpd.lineage.access import Viewer

log = logging.getLogger(__name__)

# The datasets that take part, with the JSON extras parsed once. A value
# that is not a JSON array counts as an empty list.
_DATASETS = """
d AS MATERIALIZED (
  SELECT p.id, p.owner_org,
         ({readable}) AS readable,
         coalesce(
           :skpd_domain IS NULL OR p.extras->>'domains' LIKE :skpd_domain_like,
           false
         ) AS in_domain,
         {columns}
  FROM package p
  WHERE p.state = 'active' AND p.type = 'dataset'
)"""

_ARRAY = "CASE WHEN {extra} LIKE '[%' THEN ({extra})::jsonb ELSE '[]'::jsonb END"

_FLOWS = (
    "WITH"
    + _DATASETS
    + """,
lin AS MATERIALIZED (
  SELECT up.owner_org AS source, down.owner_org AS target,
         up.id AS up_id, down.id AS down_id,
         coalesce(e->>'relation', '') AS relation,
         down.readable AND up.readable AS seen,
         down.in_domain OR up.in_domain AS in_domain,
         down.readable AS down_r, up.readable AS up_r
  FROM d AS down
  CROSS JOIN LATERAL jsonb_array_elements(down.lineage) AS e
  JOIN d AS up ON up.id = e->>'upstream'
),
need AS MATERIALIZED (
  SELECT d.owner_org AS source, n->>'consumer' AS target, d.id,
         coalesce(n->>'status', '') AS status, d.readable, d.in_domain
  FROM d CROSS JOIN LATERAL jsonb_array_elements(d.needs) AS n
  WHERE d.owner_org IS NOT NULL AND n->>'consumer' IS NOT NULL
    AND n->>'consumer' <> d.owner_org
),
seen_lin AS MATERIALIZED (
  SELECT source, target, up_id, relation FROM lin
  WHERE seen AND in_domain AND source <> target
),
seen_need AS MATERIALIZED (
  SELECT source, target, id, status FROM need WHERE readable AND in_domain
),
w AS (
  SELECT source, target, count(*) AS n FROM (
    SELECT source, target, up_id FROM seen_lin
    UNION SELECT source, target, id FROM seen_need
  ) AS u GROUP BY source, target
),
l AS (
  SELECT source, target, count(*) AS n
  FROM (SELECT DISTINCT source, target, up_id FROM seen_lin) AS u
  GROUP BY source, target
),
r AS (
  SELECT source, target, jsonb_object_agg(relation, n) AS codes FROM (
    SELECT source, target, relation, count(*) AS n FROM seen_lin
    GROUP BY source, target, relation
  ) AS u GROUP BY source, target
),
x AS (
  SELECT source, target, count(*) AS n
  FROM (SELECT DISTINCT source, target, id FROM seen_need) AS u
  GROUP BY source, target
),
s AS (
  SELECT source, target, jsonb_object_agg(status, n) AS codes FROM (
    SELECT source, target, status, count(*) AS n FROM seen_need
    GROUP BY source, target, status
  ) AS u GROUP BY source, target
)
SELECT 'edge' AS kind, w.source, w.target, w.n, coalesce(l.n, 0) AS lineage,
       coalesce(x.n, 0) AS exchange, r.codes AS relations, s.codes AS statuses
FROM w
LEFT JOIN l USING (source, target)
LEFT JOIN x USING (source, target)
LEFT JOIN r USING (source, target)
LEFT JOIN s USING (source, target)
UNION ALL
SELECT 'internal', source, NULL, count(*), NULL, NULL, NULL, NULL
  FROM lin WHERE seen AND in_domain AND source = target GROUP BY source
UNION ALL
SELECT 'owned', owner_org, NULL, count(*), NULL, NULL, NULL, NULL
  FROM d WHERE readable AND in_domain AND owner_org IS NOT NULL GROUP BY owner_org
UNION ALL
SELECT 'withheld', NULL, NULL, count(*), NULL, NULL, NULL, NULL FROM (
  SELECT down_id AS x FROM lin WHERE NOT down_r AND source <> target
  UNION SELECT up_id FROM lin WHERE NOT up_r AND source <> target
  UNION SELECT id FROM need WHERE NOT readable
) AS hidden
"""
)


_NEEDS = (
    "WITH"
    + _DATASETS
    + """,
cadence_days(code, days) AS (VALUES {cadence_days}),
need AS (
  SELECT d.id, d.name, d.title, d.owner_org AS provider,
         n->>'consumer' AS consumer, coalesce(n->>'status', '') AS status,
         n->>'purpose' AS purpose, n->>'frequency' AS frequency,
         n->>'method' AS method, d.readable, d.in_domain, d.methods, d.forms,
         d.cadence
  FROM d CROSS JOIN LATERAL jsonb_array_elements(d.needs) AS n
  WHERE d.owner_org IS NOT NULL AND n->>'consumer' IS NOT NULL
    AND n->>'consumer' <> d.owner_org
),
seen AS (
  SELECT need.*,
    (coalesce(method, '') <> '' AND NOT methods ? method) AS method_not_offered,
    (method IN ('api', 'database_link', 'file_export')
      AND jsonb_array_length(forms) > 0
      AND NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(forms) AS f
        WHERE f NOT IN ('processed_hardcopy', 'raw_hardcopy'))) AS hardcopy_only,
    (wanted.days IS NOT NULL AND (actual.days IS NULL OR actual.days > wanted.days))
      AS cadence_too_slow
  FROM need
  LEFT JOIN cadence_days AS wanted ON wanted.code = need.frequency
  LEFT JOIN cadence_days AS actual ON actual.code = need.cadence
  WHERE readable AND in_domain
),
unmet AS (
  SELECT * FROM seen WHERE method_not_offered OR hardcopy_only OR cadence_too_slow
)
SELECT 'cell' AS kind, provider, consumer, status AS code, count(*) AS n,
       NULL AS id, NULL AS name, NULL AS title, NULL AS purpose,
       NULL AS frequency, NULL AS method,
       NULL::boolean AS method_not_offered, NULL::boolean AS hardcopy_only,
       NULL::boolean AS cadence_too_slow
  FROM seen GROUP BY provider, consumer, status
UNION ALL
SELECT 'withheld', NULL, NULL, NULL, count(DISTINCT id),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM need WHERE NOT readable
UNION ALL
SELECT 'unmet_total', NULL, NULL, NULL, count(*),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM unmet
UNION ALL
(SELECT 'unmet', provider, consumer, status, 1, id, name, title, purpose,
        frequency, method, method_not_offered, hardcopy_only, cadence_too_slow
  FROM unmet ORDER BY provider, name, consumer LIMIT :skpd_limit)
"""
)


def _query(
    template: str,
    viewer: Viewer,
    domain: str | None,
    columns: str,
    formats: dict[str, str] | None = None,
    binds: dict[str, Any] | None = None,
) -> Any:
    readable, params = viewer.readable_sql("p")
    text = template.format(readable=readable, columns=columns, **(formats or {}))
    params.update(binds or {})
    params.update(
        skpd_domain=domain,
        skpd_domain_like=f'%"{domain}"%' if domain else None,
    )
    try:
        with model.Session.begin_nested():
            # The planner overrates these set-returning functions by far,
            # which makes PostgreSQL 15 compile the query with JIT for over
            # a second; the query itself runs in a fraction of that.
            model.Session.execute(sa.text("SELECT set_config('jit', 'off', true)"))
            return list(model.Session.execute(sa.text(text), params))
    except sa.exc.DataError as err:
        log.warning("A lineage or needs extra is not valid JSON: %s", err.orig)
        raise ValueError("invalid JSON in an extra") from err


def flow_counts(viewer: Viewer, domain: str | None) -> list[Any]:
    """Return the count rows of the SKPD flow graph.

    Each row has ``kind``, ``source``, ``target`` and ``n``. Kinds:
    ``edge`` (one flow: ``n`` datasets in all, ``lineage`` and ``exchange``
    per path, ``relations`` and ``statuses`` as code counts), ``internal``
    (links inside one SKPD), ``owned`` (readable datasets per SKPD) and
    ``withheld`` (datasets the viewer may not read that take part in a flow
    between two SKPD).
    """
    columns = ", ".join(
        [
            _ARRAY.format(extra="p.extras->>'lineage'") + " AS lineage",
            _ARRAY.format(extra="p.extras->>'exchange_needs'") + " AS needs",
        ]
    )
    return _query(_FLOWS, viewer, domain, columns)


def need_counts(
    viewer: Viewer, domain: str | None, cadence_days: dict[str, int], limit: int
) -> list[Any]:
    """Return the rows of the exchange matrix: kind, provider, consumer, code, n.

    Kinds: ``cell`` (needs per provider, consumer and status),
    ``withheld`` (datasets with needs the viewer may not read),
    ``unmet_total`` and, at most ``limit`` of them, ``unmet`` (one need the
    dataset does not meet, with the dataset and a flag per reason).
    """
    columns = ", ".join(
        [
            "p.name",
            "p.title",
            "p.extras->>'cadence' AS cadence",
            _ARRAY.format(extra="p.extras->>'exchange_needs'") + " AS needs",
            _ARRAY.format(extra="p.extras->>'exchange_methods'") + " AS methods",
            _ARRAY.format(extra="p.extras->>'availability_forms'") + " AS forms",
        ]
    )
    values = ", ".join(
        "('{}', {:d})".format(code.replace("'", ""), days)
        for code, days in cadence_days.items()
    )
    return _query(
        _NEEDS,
        viewer,
        domain,
        columns,
        formats={"cadence_days": values},
        binds={"skpd_limit": limit},
    )
