"""What a harvest source remembers between jobs, and what each job did.

Both are kept in one extra of the harvest source's dataset row (a JSON
text under :data:`STATE_KEY`), written with one SQL statement so no
validation or indexing of the source runs:

- ``validators``: the ETag and Last-Modified of each document of the
  source, with the fingerprint of the source configuration they were
  obtained with, for conditional requests;
- ``runs``: the summaries of the last :data:`MAX_RUNS` jobs (download,
  counts of new, changed, unchanged and removed records, the removal
  policy applied), which the job report shows.

Editing a harvest source through its form rewrites its extras and so
drops this state: the next job then downloads everything once, which is
also what a changed configuration needs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import ckan.model as model
import sqlalchemy as sa

STATE_KEY = "skpd_harvest_state"
MAX_RUNS = 30


def config_fingerprint(config: str | None) -> str:
    return hashlib.sha256((config or "").strip().encode("utf-8")).hexdigest()[:16]


def load(source_id: str) -> dict[str, Any]:
    """Return the state of a harvest source (empty when it has none)."""
    value = model.Session.execute(
        sa.text("SELECT extras ->> :key FROM package WHERE id = :id"),
        {"key": STATE_KEY, "id": source_id},
    ).scalar()
    if not value:
        return {}
    try:
        state = json.loads(value)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def save(source_id: str, state: dict[str, Any]) -> None:
    """Store the state of a harvest source and commit."""
    text = json.dumps(state, ensure_ascii=False, default=str)
    model.Session.execute(
        sa.text(
            "UPDATE package SET extras = COALESCE(extras, '{}'::jsonb) "
            "|| jsonb_build_object(CAST(:key AS text), CAST(:value AS text)) "
            "WHERE id = :id"
        ),
        {"key": STATE_KEY, "value": text, "id": source_id},
    )
    model.Session.commit()


def record_run(source_id: str, summary: dict[str, Any]) -> None:
    """Add the summary of a job to the source's state (newest first)."""
    state = load(source_id)
    runs = [r for r in state.get("runs", []) if r.get("job_id") != summary["job_id"]]
    state["runs"] = [summary, *runs][:MAX_RUNS]
    save(source_id, state)


def run_summary(source_id: str, job_id: str) -> dict[str, Any] | None:
    for run in load(source_id).get("runs", []):
        if run.get("job_id") == job_id:
            return run
    return None
