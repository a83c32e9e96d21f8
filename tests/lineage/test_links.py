"""The link and flow tables follow every kind of change to a dataset.

Each test changes the catalogue through CKAN's actions and then compares
the tables with what :py:func:`links.rebuild` computes from scratch, and
the flow views counted from the tables with the same views counted in
Python from the extras.
"""

from __future__ import annotations

import json
import random
import threading
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.skpd.lineage import cache, links
from ckanext.skpd.lineage.access import Viewer
from tests.lineage.util import act

_LINK_COLUMNS = [c.name for c in links.link_table.c]
_FLOW_COLUMNS = [c.name for c in links.flow_table.c]


def _snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    rows = model.Session.execute(sa.select(links.link_table)).all()
    flows = model.Session.execute(sa.select(links.flow_table)).all()
    return sorted(map(_plain, rows)), sorted(map(_plain, flows))


def _plain(row: Any) -> tuple[Any, ...]:
    return tuple(repr(value) for value in row)


def assert_tables_current() -> None:
    """The maintained tables equal the tables rebuilt from every dataset."""
    model.Session.commit()
    maintained = _snapshot()
    links.rebuild(model.Session.connection())
    rebuilt = _snapshot()
    model.Session.rollback()
    assert maintained == rebuilt


def _views(user: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        act("skpd_flow_graph_show", user),
        act("skpd_flow_graph_show", user, domain="population"),
        act("skpd_exchange_matrix_show", user),
    ]


def assert_sql_matches_python(users: list[dict[str, Any] | None]) -> None:
    """The views counted from the tables equal the views counted in Python."""
    for user in users:
        by_sql = _views(user)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Viewer, "labels_are_default", lambda self: False)
            in_python = _views(user)
        assert by_sql == in_python, user and user["name"]


def _call(action: str, **data: Any) -> Any:
    """Call an action as the site user, as a harvester or the CLI would."""
    site_user = call_action("get_site_user", context={"ignore_auth": True})
    return call_action(action, context={"user": site_user["name"]}, **data)


def _edge(result: dict[str, Any], source: str, target: str) -> dict[str, Any] | None:
    for edge in result["edges"]:
        if (edge["source"], edge["target"]) == (source, target):
            return edge
    return None


@pytest.fixture
def two_skpd(make_dataset, dinkes, disdukcapil):
    penduduk = make_dataset(disdukcapil, "penduduk", domains=["population"])
    kunjungan = make_dataset(
        dinkes,
        "kunjungan",
        lineage=[{"upstream": penduduk["id"], "relation": "derived_from"}],
        exchange_needs=[{"consumer": disdukcapil["id"], "status": "running"}],
    )
    return penduduk, kunjungan


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckanext.skpd.lineage.cache_seconds", 0)
class TestKeptInStep:
    def test_create_and_update(self, two_skpd, dinkes, disdukcapil):
        """Editing the lineage rewrites the rows and the pair totals."""
        penduduk, kunjungan = two_skpd
        edge = _edge(act("skpd_flow_graph_show", None), disdukcapil["id"], dinkes["id"])
        assert edge["lineage"] == 1
        assert_tables_current()

        _call("package_patch", id=kunjungan["id"], lineage=[])

        result = act("skpd_flow_graph_show", None)
        assert _edge(result, disdukcapil["id"], dinkes["id"]) is None
        assert_tables_current()

    def test_move_to_another_skpd(self, two_skpd, dinkes, disdukcapil, skpd_factory):
        """package_owner_org_update, which runs no plugin hook, moves the flow."""
        penduduk, _kunjungan = two_skpd
        bappeda = skpd_factory(name="bappeda", title="Bappeda", skpd_code="5.01.01")

        _call(
            "package_owner_org_update", id=penduduk["id"], organization_id=bappeda["id"]
        )

        result = act("skpd_flow_graph_show", None)
        assert _edge(result, disdukcapil["id"], dinkes["id"]) is None
        assert _edge(result, bappeda["id"], dinkes["id"])["lineage"] == 1
        assert_tables_current()

    def test_bulk_private_and_public(self, two_skpd, dinkes, disdukcapil):
        """Making the upstream private hides the flow from everyone outside."""
        penduduk, _kunjungan = two_skpd
        sysadmin = factories.Sysadmin()

        _call(
            "bulk_update_private", datasets=[penduduk["id"]], org_id=disdukcapil["id"]
        )

        outside = act("skpd_flow_graph_show", None)
        inside = act("skpd_flow_graph_show", sysadmin)
        assert _edge(outside, disdukcapil["id"], dinkes["id"]) is None
        assert outside["withheld"] == 1
        assert _edge(inside, disdukcapil["id"], dinkes["id"])["lineage"] == 1
        assert_tables_current()

        _call("bulk_update_public", datasets=[penduduk["id"]], org_id=disdukcapil["id"])

        outside = act("skpd_flow_graph_show", None)
        assert _edge(outside, disdukcapil["id"], dinkes["id"])["lineage"] == 1
        assert_tables_current()

    def test_delete_and_purge(self, two_skpd, dinkes, disdukcapil):
        """A deleted or purged upstream leaves no flow and no stale row."""
        penduduk, kunjungan = two_skpd

        _call("package_delete", id=penduduk["id"])

        result = act("skpd_flow_graph_show", None)
        assert _edge(result, disdukcapil["id"], dinkes["id"]) is None
        assert _edge(result, dinkes["id"], disdukcapil["id"])["exchange"] == 1
        assert_tables_current()

        _call("dataset_purge", id=penduduk["id"])
        _call("dataset_purge", id=kunjungan["id"])

        assert act("skpd_flow_graph_show", None)["edges"] == []
        count = model.Session.execute(
            sa.select(sa.func.count()).select_from(links.link_table)
        ).scalar()
        assert count == 0
        assert_tables_current()

    def test_harvest_source_clear(self, two_skpd, dinkes, disdukcapil):
        """Clearing a harvest source, which deletes with its own SQL, is seen."""
        from ckanext.harvest.model import HarvestJob, HarvestObject

        penduduk, _kunjungan = two_skpd
        source = _call(
            "harvest_source_create",
            name="sumber-disdukcapil",
            title="Sumber Disdukcapil",
            url="http://127.0.0.1:9/data.json",
            source_type="skpd_datajson",
            owner_org=disdukcapil["id"],
        )
        job = HarvestJob(source_id=source["id"], status="Finished")
        job.save()
        HarvestObject(
            guid="penduduk",
            job=job,
            harvest_source_id=source["id"],
            package_id=penduduk["id"],
        ).save()

        _call("harvest_source_clear", id=source["id"])

        assert model.Package.get(penduduk["id"]) is None
        result = act("skpd_flow_graph_show", None)
        assert _edge(result, disdukcapil["id"], dinkes["id"]) is None
        assert_tables_current()

    def test_deleted_organization_is_not_named(
        self, make_dataset, dinkes, skpd_factory
    ):
        """A deleted SKPD's name leaves the flow graph and the matrix."""
        deleted_skpd = skpd_factory(
            name="skpd-bubar", title="SKPD Bubar", skpd_code="9.99.01"
        )
        make_dataset(
            dinkes,
            "untuk-bubar",
            exchange_needs=[{"consumer": deleted_skpd["id"], "status": "agreed"}],
        )
        assert "skpd-bubar" in str(act("skpd_flow_graph_show", None))

        _call("organization_delete", id=deleted_skpd["id"])

        assert "skpd-bubar" not in str(act("skpd_flow_graph_show", None))
        assert "skpd-bubar" not in str(act("skpd_exchange_matrix_show", None))

    def test_failed_update_changes_nothing(self, two_skpd):
        """An update refused by validation leaves the tables as they were."""
        _penduduk, kunjungan = two_skpd
        before = _snapshot()

        with pytest.raises(Exception):  # noqa: B017 (any refusal will do)
            _call(
                "package_patch",
                id=kunjungan["id"],
                lineage=[{"upstream": "tidak-ada", "relation": "derived_from"}],
            )
        model.Session.rollback()

        assert _snapshot() == before

    def test_cache_follows_a_move(self, two_skpd, dinkes, disdukcapil, skpd_factory):
        """A move without a plugin hook still changes the cache fingerprint."""
        penduduk, _kunjungan = two_skpd
        bappeda = skpd_factory(name="bappeda", title="Bappeda", skpd_code="5.01.01")
        before = cache.fingerprint()

        _call(
            "package_owner_org_update", id=penduduk["id"], organization_id=bappeda["id"]
        )

        assert cache.fingerprint() != before


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckanext.skpd.lineage.cache_seconds", 0)
class TestRandomCatalogue:
    def test_tables_and_views_match_a_scan(
        self, make_dataset, dinkes, disdukcapil, skpd_factory
    ):
        """On a random catalogue and random edits, tables and views stay exact."""
        rng = random.Random(20261204)
        bappeda = skpd_factory(name="bappeda", title="Bappeda", skpd_code="5.01.01")
        orgs = [dinkes, disdukcapil, bappeda]
        member = factories.User()
        _call(
            "organization_member_create",
            id=dinkes["id"],
            username=member["name"],
            role="member",
        )
        datasets: list[dict[str, Any]] = []
        for number in range(24):
            upstreams = rng.sample(datasets, min(len(datasets), rng.randint(0, 3)))
            datasets.append(
                make_dataset(
                    rng.choice(orgs),
                    f"data-{number}",
                    private=rng.random() < 0.3,
                    domains=rng.sample(["population", "health_services"], 1),
                    lineage=[
                        {
                            "upstream": up["id"],
                            "relation": rng.choice(["derived_from", "copy_of"]),
                        }
                        for up in upstreams
                    ],
                    exchange_needs=[
                        {
                            "consumer": rng.choice(orgs)["id"],
                            "status": rng.choice(["agreed", "running"]),
                            "method": rng.choice(["api", "file_export"]),
                            "frequency": "monthly",
                        }
                        for _ in range(rng.randint(0, 2))
                    ],
                )
            )
        for dataset in rng.sample(datasets, 6):
            _call("package_patch", id=dataset["id"], private=rng.random() < 0.5)
        for dataset in rng.sample(datasets, 3):
            _call(
                "package_owner_org_update",
                id=dataset["id"],
                organization_id=rng.choice(orgs)["id"],
            )
        _call("package_delete", id=datasets[0]["id"])
        _call("dataset_purge", id=datasets[1]["id"])

        assert_tables_current()
        assert_sql_matches_python([None, member, factories.Sysadmin()])


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckanext.skpd.lineage.cache_seconds", 0)
class TestConcurrentWriters:
    def test_two_writers_on_one_pair(self, make_dataset, dinkes, disdukcapil, app):
        """Two transactions linking into the same pair at once keep totals exact."""
        upstream = make_dataset(disdukcapil, "hulu")
        first = make_dataset(dinkes, "satu")
        second = make_dataset(dinkes, "dua")
        model.Session.remove()
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def link(dataset_id: str) -> None:
            try:
                with app.flask_app.app_context():
                    session = model.Session
                    package = session.get(model.Package, dataset_id)
                    package.extras = dict(
                        package.extras or {},
                        lineage=json.dumps(
                            [{"upstream": upstream["id"], "relation": "derived_from"}]
                        ),
                    )
                    session.flush()
                    barrier.wait(timeout=10)
                    session.commit()
            except BaseException as err:  # reported below
                errors.append(err)
            finally:
                model.Session.remove()

        threads = [
            threading.Thread(target=link, args=(i,))
            for i in (first["id"], second["id"])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert errors == []
        edge = _edge(act("skpd_flow_graph_show", None), disdukcapil["id"], dinkes["id"])
        assert edge["lineage"] == 1
        assert edge["relations"] == {"derived_from": 2}
        assert_tables_current()
