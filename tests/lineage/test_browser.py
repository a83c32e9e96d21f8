"""The lineage tab and the flows page in a real browser (Debian's Chromium).

Screenshots go to test-artifacts/ (see tests/browser_fixtures.py).
"""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser_fixtures import log_in, save_screenshot
from tests.lineage import scenario

PASSWORD = "Rahasia-Sekali-2026"
GRAPH_NODES = (
    "document.getElementById('{id}').skpdGraph.nodes()"
    ".map(function (n) {{ return n.data(); }})"
)


@pytest.fixture
def world(make_dataset, dinkes, disdukcapil, bappeda):
    return scenario.build(make_dataset, dinkes, disdukcapil, bappeda)


def _graph_nodes(page, element_id):
    page.wait_for_selector(f"#{element_id}[data-node-count]", timeout=20000)
    return page.evaluate(GRAPH_NODES.format(id=element_id))


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLineageInBrowser:
    def test_lineage_tab_draws_restricted_node_without_title(
        self, live_site, browser_page, world
    ):
        """The graph shows the expected datasets and an untitled restricted node."""
        page = browser_page
        page.goto(f"{live_site}/dataset/laporan/lineage?depth=2&direction=up")

        nodes = _graph_nodes(page, "skpd-lineage-graph")
        save_screenshot(page, "lineage-tab-anonymous")

        titles = sorted(n["title"] for n in nodes if n["kind"] == "dataset")
        restricted = [n for n in nodes if n["kind"] == "restricted"]
        assert titles == ["Laporan Perencanaan", "Penduduk per Kecamatan"]
        assert len(restricted) == 1
        assert restricted[0]["title"] == ""
        assert restricted[0]["name"] == ""
        assert scenario.PRIVATE_TITLE not in restricted[0]["label"]
        assert scenario.leaks(page.content(), world["rahasia"]) == []
        assert page.locator("#skpd-lineage-withheld").count() == 1
        assert page.locator("#skpd-lineage-table tbody tr").count() == 2

    def test_click_expands_without_duplicating_the_restricted_node(
        self, live_site, browser_page, world
    ):
        """Clicking a dataset adds its links; the same restricted node is reused."""
        page = browser_page
        page.goto(f"{live_site}/dataset/laporan/lineage?depth=2&direction=up")
        _graph_nodes(page, "skpd-lineage-graph")

        page.evaluate(
            "document.getElementById('skpd-lineage-graph').skpdGraph"
            f".getElementById('{world['penduduk']['id']}').emit('tap')"
        )
        page.wait_for_selector(
            "#skpd-lineage-graph[data-node-count='4']", timeout=20000
        )
        nodes = page.evaluate(GRAPH_NODES.format(id="skpd-lineage-graph"))
        save_screenshot(page, "lineage-tab-expanded")

        kinds = sorted(n["kind"] for n in nodes)
        assert kinds == ["dataset", "dataset", "dataset", "restricted"]
        assert "Kunjungan Puskesmas" in {n["title"] for n in nodes}

    def test_owner_editor_sees_the_private_dataset(
        self, live_site, browser_page, world, dinkes
    ):
        """Logged in as an editor of the owning SKPD, the node has its title."""
        user = factories.User(password=PASSWORD)
        call_action(
            "organization_member_create",
            id=dinkes["id"],
            username=user["name"],
            role="editor",
        )
        page = browser_page
        log_in(page, live_site, user["name"], PASSWORD)
        page.goto(f"{live_site}/dataset/laporan/lineage?depth=2&direction=up")

        nodes = _graph_nodes(page, "skpd-lineage-graph")
        save_screenshot(page, "lineage-tab-owner-editor")

        assert scenario.PRIVATE_TITLE in {n["title"] for n in nodes}
        assert "restricted" not in {n["kind"] for n in nodes}

    def test_flows_page_draws_skpd_graph_and_heat_map(
        self, live_site, browser_page, world, dinkes, disdukcapil, bappeda
    ):
        """The flows page draws one node per SKPD and the exchange heat map."""
        page = browser_page
        page.goto(f"{live_site}/skpd/flows")

        nodes = _graph_nodes(page, "skpd-flow-graph")
        edges = page.evaluate(
            "document.getElementById('skpd-flow-graph').skpdGraph.edges()"
            ".map(function (e) { return [e.data('source'), e.data('target')]; })"
        )
        has_chart = page.evaluate("!!document.getElementById('skpd-heatmap').skpdChart")
        save_screenshot(page, "flows-page-anonymous")

        assert {n["id"] for n in nodes} == {
            dinkes["id"],
            disdukcapil["id"],
            bappeda["id"],
        }
        assert sorted(map(tuple, edges)) == sorted(
            [(disdukcapil["id"], dinkes["id"]), (dinkes["id"], disdukcapil["id"])]
        )
        assert has_chart
        assert scenario.leaks(page.content(), world["rahasia"]) == []

    def test_flow_edge_click_lists_datasets(
        self, live_site, browser_page, world, dinkes, disdukcapil
    ):
        """Clicking an arrow lists the datasets behind the flow."""
        page = browser_page
        page.goto(f"{live_site}/skpd/flows")
        _graph_nodes(page, "skpd-flow-graph")

        page.evaluate(
            "document.getElementById('skpd-flow-graph').skpdGraph"
            f".getElementById('{disdukcapil['id']}|{dinkes['id']}').emit('tap')"
        )
        page.wait_for_selector("#skpd-flow-details li a", timeout=20000)
        save_screenshot(page, "flows-page-edge-details")

        assert "Kunjungan Puskesmas" in page.inner_text("#skpd-flow-details")

    def test_organization_page_draws_the_ladder(self, live_site, browser_page, world):
        """The SKPD integration tab draws the digitisation ladder chart."""
        page = browser_page
        page.goto(f"{live_site}/organization/dinas-kesehatan/integration")
        page.wait_for_function(
            "!!document.getElementById('skpd-ladder-chart').skpdChart", timeout=20000
        )
        save_screenshot(page, "organization-integration-anonymous")

        assert page.locator("#skpd-ladder-table tbody tr").count() == 1
        assert scenario.leaks(page.content(), world["rahasia"]) == []
