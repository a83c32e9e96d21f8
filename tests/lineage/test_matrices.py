"""The SKPD flow graph, the exchange matrix, the authority matrix and the
inventory: their content, and the same answers with and without SQL counting."""

from __future__ import annotations

import csv
import io

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.skpd.lineage.access import Viewer
from ckanext.skpd.lineage.views import lineage_csv
from tests.lineage import scenario
from tests.lineage.util import act


@pytest.fixture
def world(make_dataset, dinkes, disdukcapil, bappeda):
    return scenario.build(make_dataset, dinkes, disdukcapil, bappeda)


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestFlowGraphShow:
    def test_edges_weights_and_breakdown(self, world, dinkes, disdukcapil, bappeda):
        """Each flow counts the provider's datasets, per path and per code."""
        result = call_action("skpd_flow_graph_show")

        edges = {(e["source"], e["target"]): e for e in result["edges"]}
        assert edges[(disdukcapil["id"], dinkes["id"])] == {
            "source": disdukcapil["id"],
            "target": dinkes["id"],
            "weight": 1,
            "lineage": 1,
            "exchange": 0,
            "relations": {"validated_against": 1, "derived_from": 1},
            "statuses": {},
        }
        to_bappeda = edges[(dinkes["id"], bappeda["id"])]
        assert (to_bappeda["weight"], to_bappeda["lineage"]) == (1, 1)
        assert to_bappeda["statuses"] == {"agreed": 1}
        nodes = {n["name"]: n["datasets"] for n in result["nodes"]}
        assert nodes == {"dinas-kesehatan": 2, "disdukcapil": 1, "bappeda": 1}

    def test_domain_filter(self, world, dinkes, disdukcapil):
        """A domain keeps the flows with a dataset of that domain at either end."""
        result = call_action("skpd_flow_graph_show", domain="governance")

        pairs = {(e["source"], e["target"]) for e in result["edges"]}
        assert pairs == {(dinkes["id"], world["laporan"]["owner_org"])}

    def test_same_skpd_links_count_as_internal(self, make_dataset, dinkes):
        """A link inside one SKPD is no flow; the SKPD node counts it."""
        a = make_dataset(dinkes, "a-internal")
        make_dataset(
            dinkes, "b-internal", lineage=[{"upstream": a["id"], "relation": "copy_of"}]
        )

        result = call_action("skpd_flow_graph_show")

        assert result["edges"] == []
        assert result["nodes"][0]["internal"] == 1

    def test_half_a_pair_is_a_field_error(self, world):
        """A source without a target names the missing field."""
        with pytest.raises(tk.ValidationError) as err:
            call_action("skpd_flow_graph_show", source="disdukcapil")

        assert "target" in err.value.error_dict

    def test_unknown_organization_is_a_field_error(self, world):
        """An unknown SKPD in a pair is reported on its field."""
        with pytest.raises(tk.ValidationError) as err:
            call_action("skpd_flow_graph_show", source="tidak-ada", target="bappeda")

        assert "source" in err.value.error_dict


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestExchangeMatrixShow:
    def test_cells_and_unmet_needs(self, world, dinkes, bappeda):
        """Cells count needs per status; unmet needs carry their reasons."""
        result = call_action("skpd_exchange_matrix_show")

        assert {
            (c["provider"], c["consumer"], c["total"]) for c in result["cells"]
        } == {
            (dinkes["id"], bappeda["id"], 1),
            (dinkes["id"], world["penduduk"]["owner_org"], 1),
        }
        assert result["unmet_total"] == 1
        unmet = result["unmet"][0]
        assert unmet["dataset"]["name"] == scenario.PRIVATE_NAME
        assert unmet["consumer"]["id"] == bappeda["id"]
        assert unmet["reasons"] == [
            "method_not_offered",
            "hardcopy_only",
            "cadence_too_slow",
        ]

    def test_pair_lists_its_needs(self, world, dinkes, disdukcapil):
        """A provider and consumer pair lists the needs behind the cell."""
        result = call_action(
            "skpd_exchange_matrix_show", provider=dinkes["name"], consumer="disdukcapil"
        )

        assert [(n["dataset"]["name"], n["status"]) for n in result["needs"]] == [
            ("kunjungan", "running")
        ]
        assert result["needs"][0]["reasons"] == []


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestAuthorityMatrixShow:
    def test_roles_per_dataset_and_skpd(self, world, dinkes, disdukcapil):
        """Roles come from authority_roles plus the implied owner role."""
        result = call_action("skpd_authority_matrix_show", organization=dinkes["name"])

        rows = {d["name"]: d["roles"] for d in result["datasets"]}
        assert rows["kunjungan"] == {
            dinkes["id"]: ["collector", "owner"],
            disdukcapil["id"]: ["user"],
        }
        summary = {o["id"]: o["roles"] for o in result["organizations"]}
        assert summary[dinkes["id"]] == {"collector": 1, "owner": 2}
        assert result["count"] == 2

    def test_search_query_and_limit(self, world):
        """A text query narrows the set; the row limit cuts and reports it."""
        one = call_action("skpd_authority_matrix_show", q="Kunjungan")
        with_limit = None
        with pytest.MonkeyPatch.context() as patch:
            patch.setitem(tk.config, "ckanext.skpd.lineage.authority_max_rows", 1)
            with_limit = call_action("skpd_authority_matrix_show")

        assert [d["name"] for d in one["datasets"]] == ["kunjungan"]
        assert with_limit["truncated"] is True
        assert len(with_limit["datasets"]) == 1


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestInventoryShow:
    def test_ladder_groups_and_completeness(self, world, dinkes, disdukcapil, bappeda):
        """The inventory groups by rung, method and cadence, with completeness."""
        result = call_action("skpd_inventory_show", id=dinkes["name"])

        assert result["total"] == 2
        assert result["complete"] == 0
        assert {g["code"]: g["count"] for g in result["ladder"]} == {
            "raw_hardcopy": 1,
            "office_files": 1,
        }
        assert {g["code"] for g in result["collection_method"]} == {
            "routine_periodic",
            "not_stated",
        }
        assert result["missing_fields"]["concept"] == 2
        consumers = {e["consumer"]["id"] for e in result["provides_to"]}
        assert consumers == {bappeda["id"], disdukcapil["id"]}

    def test_roles_over_others_and_needs_from_others(self, world, bappeda):
        """An SKPD sees the roles it holds and the needs it has on others' data."""
        result = call_action("skpd_inventory_show", id=bappeda["name"])

        assert [e["dataset"]["name"] for e in result["roles_over_others"]] == [
            scenario.PRIVATE_NAME
        ]
        assert result["roles_over_others"][0]["roles"] == ["user"]
        assert [e["dataset"]["name"] for e in result["needs_from"]] == [
            scenario.PRIVATE_NAME
        ]

    def test_complete_dataset_counts(self, make_dataset, dinkes):
        """A dataset with every completeness field filled counts as complete."""
        make_dataset(
            dinkes,
            "lengkap",
            notes="Data lengkap.",
            collection_method="routine_periodic",
            cadence="monthly",
            collection_technique="survey",
            availability_forms=["sim_database"],
            domains=["health_services"],
            access_level="open",
            concept="Konsep",
            definition="Definisi",
            unit_of_measure="orang",
        )

        result = call_action("skpd_inventory_show", id=dinkes["name"])

        assert (result["total"], result["complete"], result["complete_share"]) == (
            1,
            1,
            1.0,
        )

    def test_unknown_organization(self, clean_db):
        """An unknown SKPD is NotFound."""
        with pytest.raises(tk.ObjectNotFound):
            call_action("skpd_inventory_show", id="tidak-ada")


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckanext.skpd.lineage.cache_seconds", 0)
class TestPythonFallback:
    def test_same_answers_without_sql_counting(self, world, viewers, monkeypatch):
        """Counting in Python (custom permission labels) gives the SQL answers."""
        for who, user in viewers.items():
            by_sql = [
                act("skpd_flow_graph_show", user),
                act("skpd_exchange_matrix_show", user),
            ]
            with monkeypatch.context() as patch:
                patch.setattr(Viewer, "labels_are_default", lambda self: False)
                in_python = [
                    act("skpd_flow_graph_show", user),
                    act("skpd_exchange_matrix_show", user),
                ]

            assert in_python == by_sql, who

    def test_invalid_json_extra_counts_as_no_links(self, world, monkeypatch):
        """An extra that is not JSON counts as no links, in SQL and in Python."""
        import ckan.model as model

        package = model.Package.get("laporan")
        package.extras = dict(package.extras, lineage="[not json")
        model.Session.commit()

        by_sql = call_action("skpd_flow_graph_show")
        monkeypatch.setattr(Viewer, "labels_are_default", lambda self: False)
        in_python = call_action("skpd_flow_graph_show")

        assert by_sql == in_python
        edges = {(e["source"], e["target"]): e for e in by_sql["edges"]}
        to_bappeda = edges[
            (world["rahasia"]["owner_org"], world["laporan"]["owner_org"])
        ]
        assert (to_bappeda["lineage"], to_bappeda["exchange"]) == (0, 1)
        assert len(edges) == 3


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLineageCsv:
    def test_csv_rows_and_formula_guard(self, make_dataset, dinkes, disdukcapil):
        """The CSV has one row per edge and defuses spreadsheet formulas."""
        source = make_dataset(disdukcapil, "sumber-csv", title="=HYPERLINK(1)")
        make_dataset(
            dinkes,
            "turunan-csv",
            lineage=[
                {"upstream": source["id"], "relation": "derived_from", "note": "+1"}
            ],
        )
        graph = call_action("skpd_lineage_show", id="turunan-csv")

        rows = list(csv.DictReader(io.StringIO(lineage_csv(graph))))

        assert len(rows) == 1
        assert rows[0]["upstream_title"] == "'=HYPERLINK(1)"
        assert rows[0]["note"] == "'+1"
        assert rows[0]["downstream_name"] == "turunan-csv"
        assert rows[0]["relation"] == "derived_from"

    def test_csv_download(self, app, make_dataset, dinkes, disdukcapil):
        """The CSV link answers with a CSV attachment."""
        source = make_dataset(disdukcapil, "sumber-unduh")
        make_dataset(
            dinkes,
            "turunan-unduh",
            lineage=[{"upstream": source["id"], "relation": "derived_from"}],
        )

        response = app.get("/dataset/turunan-unduh/lineage.csv")

        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        assert "sumber-unduh" in response.body

    def test_bad_depth_on_page_shows_error(self, app, make_dataset, dinkes):
        """A bad depth on the page shows the field error and the default graph."""
        make_dataset(dinkes, "satu")

        body = app.get("/dataset/satu/lineage?depth=99").body

        assert "alert-danger" in body
        assert "skpd-lineage-table" in body
