"""What each kind of viewer sees: anonymous, another SKPD's member, an editor
of the owning SKPD and a sysadmin, in every action, in the CSV and on pages."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from tests.lineage import scenario
from tests.lineage.util import act

OUTSIDERS = ("anonymous", "other_member")
INSIDERS = ("owner_editor", "sysadmin")
EVERYONE = OUTSIDERS + INSIDERS


@pytest.fixture
def world(make_dataset, dinkes, disdukcapil, bappeda, viewers):
    datasets = scenario.build(make_dataset, dinkes, disdukcapil, bappeda)
    return {"datasets": datasets, "viewers": viewers}


def _private(world):
    return world["datasets"]["rahasia"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLineagePermissions:
    @pytest.mark.parametrize("who", OUTSIDERS)
    def test_outsider_gets_restricted_node(self, world, who):
        """An outsider sees the private dataset only as an unnamed placeholder."""
        result = act(
            "skpd_lineage_show",
            world["viewers"][who],
            id="laporan",
            direction="up",
            depth=2,
        )

        kinds = sorted(n["kind"] for n in result["nodes"])
        restricted = [n for n in result["nodes"] if n["kind"] == "restricted"]
        assert kinds == ["dataset", "dataset", "restricted"]
        assert set(restricted[0]) == {"id", "kind", "depth", "direction"}
        assert result["withheld"] == 1
        assert scenario.leaks(result, _private(world)) == []

    @pytest.mark.parametrize("who", OUTSIDERS)
    def test_restricted_node_keeps_graph_connected(self, world, who):
        """Both links through the private dataset stay, ending at the placeholder."""
        result = act(
            "skpd_lineage_show",
            world["viewers"][who],
            id="laporan",
            direction="up",
            depth=2,
        )

        restricted_id = next(
            n["id"] for n in result["nodes"] if n["kind"] == "restricted"
        )
        ends = {(e["source"], e["target"]) for e in result["edges"]}
        ids = {n.get("name"): n["id"] for n in result["nodes"]}
        assert ends == {
            (ids["penduduk"], restricted_id),
            (restricted_id, ids["laporan"]),
        }

    @pytest.mark.parametrize("who", INSIDERS)
    def test_insider_sees_the_private_dataset(self, world, who):
        """The owning SKPD's editor and a sysadmin see the dataset by name."""
        result = act(
            "skpd_lineage_show",
            world["viewers"][who],
            id="laporan",
            direction="up",
            depth=2,
        )

        titles = {n.get("title") for n in result["nodes"]}
        assert scenario.PRIVATE_TITLE in titles
        assert result["withheld"] == 0

    def test_placeholder_differs_between_viewers(self, world):
        """Two outsiders get different placeholder ids for the same dataset."""
        ids = []
        for who in OUTSIDERS:
            result = act("skpd_lineage_show", world["viewers"][who], id="laporan")
            ids.append(
                next(n["id"] for n in result["nodes"] if n["kind"] == "restricted")
            )

        assert ids[0] != ids[1]

    @pytest.mark.parametrize("who", OUTSIDERS)
    def test_outsider_cannot_ask_for_the_private_dataset(self, world, who):
        """The lineage of a dataset one may not read is refused."""
        with pytest.raises(tk.NotAuthorized):
            act("skpd_lineage_show", world["viewers"][who], id=scenario.PRIVATE_NAME)

    @pytest.mark.parametrize("who", INSIDERS)
    def test_insider_may_ask_for_the_private_dataset(self, world, who):
        """The owner's editor and a sysadmin get the private dataset's lineage."""
        result = act(
            "skpd_lineage_show", world["viewers"][who], id=scenario.PRIVATE_NAME
        )

        assert {n["name"] for n in result["nodes"]} == {
            scenario.PRIVATE_NAME,
            "penduduk",
            "laporan",
        }


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestFlowPermissions:
    def test_flow_graph(self, world, dinkes, disdukcapil, bappeda):
        """Flows carried only by the private dataset appear only to insiders."""
        for who in EVERYONE:
            result = act("skpd_flow_graph_show", world["viewers"][who])

            edges = {(e["source"], e["target"]): e for e in result["edges"]}
            private_flow = edges.get((dinkes["id"], bappeda["id"]))
            assert edges[(disdukcapil["id"], dinkes["id"])]["weight"] == 1, who
            if who in INSIDERS:
                assert private_flow["weight"] == 1, who
                assert result["withheld"] == 0, who
            else:
                assert private_flow is None, who
                assert result["withheld"] == 1, who

    def test_flow_links(self, world, dinkes, bappeda):
        """The datasets behind a flow name the private dataset only to insiders."""
        for who in EVERYONE:
            result = act(
                "skpd_flow_graph_show",
                world["viewers"][who],
                source=dinkes["name"],
                target=bappeda["name"],
            )

            vias = {link["via"] for link in result["links"]}
            if who in INSIDERS:
                assert vias == {"lineage", "exchange"}, who
                assert scenario.leaks(result["links"], _private(world)), who
            else:
                assert result["links"] == [], who
                assert scenario.leaks(result, _private(world)) == [], who

    def test_exchange_matrix(self, world, dinkes, disdukcapil, bappeda):
        """Needs recorded on the private dataset count only for insiders."""
        for who in EVERYONE:
            result = act("skpd_exchange_matrix_show", world["viewers"][who])

            cells = {(c["provider"], c["consumer"]): c for c in result["cells"]}
            public = cells[(dinkes["id"], disdukcapil["id"])]
            assert public["statuses"] == {"running": 1}, who
            if who in INSIDERS:
                private = cells[(dinkes["id"], bappeda["id"])]
                assert private["statuses"] == {"agreed": 1}, who
                assert result["withheld"] == 0, who
            else:
                assert (dinkes["id"], bappeda["id"]) not in cells, who
                assert result["withheld"] == 1, who
                assert scenario.leaks(result, _private(world)) == [], who

    def test_authority_matrix_and_inventory(self, world, dinkes, bappeda):
        """The authority matrix and the inventory list it only to insiders."""
        for who in EVERYONE:
            user = world["viewers"][who]
            matrix = act("skpd_authority_matrix_show", user, holder=bappeda["id"])
            inventory = act("skpd_inventory_show", user, id=dinkes["name"])

            names = [d["name"] for d in matrix["datasets"]]
            if who in INSIDERS:
                assert names == [scenario.PRIVATE_NAME], who
                assert inventory["total"] == 2, who
            else:
                assert names == [], who
                assert inventory["total"] == 1, who
                assert scenario.leaks(inventory, _private(world)) == [], who


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestPagePermissions:
    def test_pages_and_csv(self, app, world, dinkes, bappeda):
        """Every page and the CSV name the private dataset only to insiders."""
        pair = "source={d}&target={b}&provider={d}&consumer={b}".format(
            d=dinkes["id"], b=bappeda["id"]
        )
        urls = [
            "/dataset/laporan/lineage?depth=2&direction=up",
            "/dataset/laporan/lineage.csv?depth=2&direction=up",
            "/skpd/flows?" + pair,
            f"/organization/{dinkes['name']}/integration",
            f"/organization/{bappeda['name']}/integration",
            "/skpd/authority?organization=" + dinkes["name"],
        ]
        for who in EVERYONE:
            user = world["viewers"][who]
            headers = {"Authorization": _token(user)} if user else {}
            for url in urls:
                body = app.get(url, headers=headers).body

                found = scenario.leaks(body, _private(world))
                assert bool(found) == (who in INSIDERS), (who, url)


def _token(user):
    from ckan.tests.helpers import call_action

    return call_action(
        "api_token_create",
        context={"user": user["name"]},
        user=user["name"],
        name="lineage-test",
    )["token"]
