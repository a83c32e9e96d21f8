"""The number of SQL statements and Solr requests does not grow with the data.

Each test runs an action on a small and on a larger catalogue of the same
shape and counts the SQL statements (a SQLAlchemy engine event) and the
Solr requests (every request pysolr sends, which is how ``ckan.lib.search``
reaches Solr). A per-node ``package_show`` or a query per dataset would
make the larger catalogue cost more and fail the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ckan.model as model
import pysolr
import pytest
import sqlalchemy as sa

from tests.lineage.util import act


class Counter:
    def __init__(self) -> None:
        self.sql: list[str] = []
        self.solr = 0

    @property
    def total(self) -> tuple[int, int]:
        return len(self.sql), self.solr


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    counter = Counter()

    def on_sql(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counter.sql.append(statement)

    send = pysolr.Solr._send_request

    def on_solr(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter.solr += 1
        return send(self, *args, **kwargs)

    monkeypatch.setattr(pysolr.Solr, "_send_request", on_solr)
    sa.event.listen(model.meta.engine, "before_cursor_execute", on_sql)
    try:
        yield counter
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", on_sql)
        monkeypatch.setattr(pysolr.Solr, "_send_request", send)


def _star(make_dataset, hub_org, orgs, size):
    """A hub dataset with ``size`` upstream and ``size`` downstream datasets."""
    upstream = [
        make_dataset(orgs[i % len(orgs)], f"hulu-{size}-{i}", domains=["population"])
        for i in range(size)
    ]
    hub = make_dataset(
        hub_org,
        f"pusat-{size}",
        lineage=[{"upstream": u["id"], "relation": "derived_from"} for u in upstream],
        exchange_needs=[
            {"consumer": o["id"], "status": "agreed", "method": "api"} for o in orgs
        ],
    )
    for i in range(size):
        make_dataset(
            orgs[i % len(orgs)],
            f"hilir-{size}-{i}",
            private=(i % 2 == 0),
            lineage=[{"upstream": hub["id"], "relation": "aggregated_from"}],
            authority_roles=[{"role": "user", "holder": hub_org["id"]}],
            exchange_needs=[
                {"consumer": hub_org["id"], "status": "running", "method": "api"}
            ],
        )
    return hub


@pytest.fixture
def two_stars(make_dataset, dinkes, disdukcapil, bappeda):
    """The same shape twice: 2 neighbours each way, and 6."""
    orgs = [disdukcapil, bappeda]
    return _star(make_dataset, dinkes, orgs, 2), _star(make_dataset, dinkes, orgs, 6)


@pytest.fixture
def viewer(viewers):
    return viewers["other_member"]


def _counts(monkeypatch, action, user, **data):
    with counting(monkeypatch) as counter:
        result = act(action, user, **data)
    return counter, result


_SKPD_VIEWS = [
    ("skpd_flow_graph_show", {}),
    ("skpd_exchange_matrix_show", {}),
    ("skpd_inventory_show", {"id": "dinas-kesehatan"}),
    ("skpd_authority_matrix_show", {"holder": "dinas-kesehatan"}),
]


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckanext.skpd.lineage.cache_seconds", 0)
class TestQueryCount:
    def test_lineage_does_not_grow_with_neighbours(
        self, monkeypatch, two_stars, viewer
    ):
        """Three times the neighbours cost the same SQL and Solr requests."""
        small, large = two_stars

        for depth in (1, 2, 3):
            few, few_result = _counts(
                monkeypatch, "skpd_lineage_show", viewer, id=small["id"], depth=depth
            )
            many, many_result = _counts(
                monkeypatch, "skpd_lineage_show", viewer, id=large["id"], depth=depth
            )

            assert len(few_result["nodes"]) == 5
            assert len(many_result["nodes"]) == 13
            assert many_result["withheld"] == 3
            assert many.total == few.total, depth

    def test_lineage_costs_at_most_two_sql_per_level(
        self, monkeypatch, two_stars, viewer
    ):
        """Each further depth level adds at most two SQL requests and no Solr."""
        _small, large = two_stars

        one, _ = _counts(monkeypatch, "skpd_lineage_show", viewer, id=large["id"])
        three, _ = _counts(
            monkeypatch, "skpd_lineage_show", viewer, id=large["id"], depth=3
        )

        assert one.solr == 0
        assert three.solr == 0
        assert len(three.sql) - len(one.sql) <= 4

    def test_skpd_views_do_not_grow_with_datasets(
        self, monkeypatch, make_dataset, dinkes, disdukcapil, bappeda, viewer
    ):
        """Adding datasets adds no query to the flow, matrix and inventory views."""
        orgs = [disdukcapil, bappeda]
        _star(make_dataset, dinkes, orgs, 2)
        few = {
            action: _counts(monkeypatch, action, viewer, **data)
            for action, data in _SKPD_VIEWS
        }

        _star(make_dataset, dinkes, orgs, 6)
        many = {
            action: _counts(monkeypatch, action, viewer, **data)
            for action, data in _SKPD_VIEWS
        }

        for action, _data in _SKPD_VIEWS:
            assert str(many[action][1]) != str(few[action][1]), action
            assert many[action][0].total == few[action][0].total, action

    def test_counter_sees_per_dataset_work(self, monkeypatch, two_stars):
        """The counter notices a query per dataset, so the tests above can fail."""
        from ckan.tests.helpers import call_action

        small, large = two_stars
        with counting(monkeypatch) as one:
            call_action("package_show", id=small["name"])
        with counting(monkeypatch) as two:
            call_action("package_show", id=small["name"])
            call_action("package_show", id=large["name"])

        assert len(two.sql) > len(one.sql) > 0


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestCache:
    def test_cached_counts_follow_every_change(
        self, monkeypatch, make_dataset, site_user, dinkes, disdukcapil, viewer
    ):
        """A second call reads the cache; a changed dataset is counted afresh."""
        from ckan.tests.helpers import call_action

        source = make_dataset(disdukcapil, "sumber")
        make_dataset(
            dinkes,
            "turunan",
            lineage=[{"upstream": source["id"], "relation": "derived_from"}],
        )
        first = act("skpd_flow_graph_show", viewer)

        with counting(monkeypatch) as cached:
            second = act("skpd_flow_graph_show", viewer)
        call_action(
            "package_patch",
            context={"user": site_user["name"]},
            id="turunan",
            lineage=[],
        )
        third = act("skpd_flow_graph_show", viewer)

        assert second == first
        assert not any("jsonb_array_elements" in s for s in cached.sql)
        assert len(first["edges"]) == 1
        assert third["edges"] == []
