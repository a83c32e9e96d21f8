"""skpd_lineage_show: the lineage graph around one dataset, and its integrity."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action


def _link(upstream: str, relation: str = "derived_from", note: str = "") -> dict:
    entry = {"upstream": upstream, "relation": relation}
    if note:
        entry["note"] = note
    return entry


def _titles(result: dict) -> set[str]:
    return {n["title"] for n in result["nodes"] if n["kind"] == "dataset"}


def _edges(result: dict) -> set[tuple[str, str, str]]:
    names = {n["id"]: n.get("name") or n["kind"] for n in result["nodes"]}
    return {
        (names[e["source"]], names[e["target"]], e["relation"]) for e in result["edges"]
    }


@pytest.fixture
def chain(make_dataset, dinkes, disdukcapil, bappeda):
    """penduduk <- kunjungan <- rekap <- rencana, across three SKPD."""
    penduduk = make_dataset(disdukcapil, "penduduk", domains=["population"])
    kunjungan = make_dataset(
        dinkes,
        "kunjungan",
        domains=["health_services"],
        lineage=[_link(penduduk["id"], "validated_against", "NIK dicocokkan")],
    )
    rekap = make_dataset(
        dinkes,
        "rekap",
        domains=["health_services"],
        lineage=[_link(kunjungan["id"], "aggregated_from")],
    )
    rencana = make_dataset(
        bappeda, "rencana", domains=["governance"], lineage=[_link(rekap["id"])]
    )
    return {
        "penduduk": penduduk,
        "kunjungan": kunjungan,
        "rekap": rekap,
        "rencana": rencana,
    }


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLineageShow:
    def test_depth_one_shows_direct_neighbours_both_ways(self, chain):
        """Depth 1 returns the dataset, its upstream and its downstream."""
        result = call_action("skpd_lineage_show", id="kunjungan")

        assert _titles(result) == {"Penduduk", "Kunjungan", "Rekap"}
        assert _edges(result) == {
            ("penduduk", "kunjungan", "validated_against"),
            ("kunjungan", "rekap", "aggregated_from"),
        }
        assert result["root"] == chain["kunjungan"]["id"]
        assert result["withheld"] == 0

    def test_nodes_carry_skpd_and_fields(self, chain, disdukcapil):
        """A dataset node names its owning SKPD and its metadata fields."""
        result = call_action("skpd_lineage_show", id="kunjungan", direction="up")

        node = next(n for n in result["nodes"] if n.get("name") == "penduduk")
        assert node["organization"]["id"] == disdukcapil["id"]
        assert node["organization"]["title"] == disdukcapil["title"]
        assert node["domains"] == ["population"]
        assert node["depth"] == 1
        assert node["direction"] == "up"

    def test_edge_note_is_returned(self, chain):
        """The note of a lineage entry travels on its edge."""
        result = call_action("skpd_lineage_show", id="kunjungan", direction="up")

        assert result["edges"][0]["note"] == "NIK dicocokkan"

    def test_greater_depth_follows_further(self, chain):
        """Depth 3 downstream from the first dataset reaches the last one."""
        result = call_action(
            "skpd_lineage_show", id="penduduk", direction="down", depth=3
        )

        assert _titles(result) == {"Penduduk", "Kunjungan", "Rekap", "Rencana"}
        depths = {n["name"]: n["depth"] for n in result["nodes"]}
        assert depths == {"penduduk": 0, "kunjungan": 1, "rekap": 2, "rencana": 3}

    def test_direction_up_leaves_out_downstream(self, chain):
        """Direction "up" returns only what the dataset is built from."""
        result = call_action("skpd_lineage_show", id="rekap", direction="up", depth=5)

        assert _titles(result) == {"Rekap", "Kunjungan", "Penduduk"}

    def test_relation_filter(self, chain):
        """Only edges of the requested relation types are followed."""
        result = call_action(
            "skpd_lineage_show",
            id="rekap",
            direction="up",
            depth=3,
            relation="aggregated_from",
        )

        assert _titles(result) == {"Rekap", "Kunjungan"}

    def test_domain_filter_keeps_the_dataset_itself(self, chain):
        """A domain filter drops datasets of other domains, not the root."""
        result = call_action(
            "skpd_lineage_show", id="kunjungan", depth=2, domain="health_services"
        )

        assert _titles(result) == {"Kunjungan", "Rekap"}

    def test_external_upstream_is_an_external_node(self, make_dataset, dinkes):
        """An http(s) upstream shows as an external node with its URI."""
        make_dataset(dinkes, "impor", lineage=[_link("https://data.example.org/x")])

        result = call_action("skpd_lineage_show", id="impor")

        external = [n for n in result["nodes"] if n["kind"] == "external"]
        assert external == [
            {
                "id": "https://data.example.org/x",
                "kind": "external",
                "title": "https://data.example.org/x",
                "url": "https://data.example.org/x",
                "depth": 1,
                "direction": "up",
            }
        ]

    def test_unknown_dataset_is_not_found(self, clean_db):
        """An unknown id raises NotFound."""
        with pytest.raises(tk.ObjectNotFound):
            call_action("skpd_lineage_show", id="tidak-ada")

    @pytest.mark.parametrize("depth", [0, 6, "two", "1.5"])
    def test_depth_out_of_range_names_the_limit(self, chain, depth):
        """A depth outside 1..max_depth is a field error naming the limit."""
        with pytest.raises(tk.ValidationError) as err:
            call_action("skpd_lineage_show", id="rekap", depth=depth)

        assert "1" in err.value.error_dict["depth"][0]
        assert "5" in err.value.error_dict["depth"][0]

    @pytest.mark.ckan_config("ckanext.skpd.lineage.max_depth", 2)
    def test_max_depth_is_configurable(self, chain):
        """ckanext.skpd.lineage.max_depth caps the depth."""
        with pytest.raises(tk.ValidationError):
            call_action("skpd_lineage_show", id="rekap", depth=3)

    def test_unknown_direction_and_relation_are_field_errors(self, chain):
        """Unknown codes are reported per field with the allowed values."""
        with pytest.raises(tk.ValidationError) as err:
            call_action(
                "skpd_lineage_show", id="rekap", direction="sideways", relation="x"
            )

        assert "both" in err.value.error_dict["direction"][0]
        assert "derived_from" in err.value.error_dict["relation"][0]

    @pytest.mark.ckan_config("ckanext.skpd.lineage.max_nodes", 3)
    def test_max_nodes_truncates(self, chain):
        """The graph stops at max_nodes nodes and says it was cut."""
        result = call_action(
            "skpd_lineage_show", id="penduduk", direction="down", depth=5
        )

        assert len(result["nodes"]) == 3
        assert result["truncated"] is True


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestLineageIntegrity:
    def test_cycle_terminates(self, make_dataset, dinkes, disdukcapil, site_user):
        """A cycle of links ends the walk and keeps every edge of the cycle."""
        a = make_dataset(disdukcapil, "siklus-a")
        b = make_dataset(dinkes, "siklus-b", lineage=[_link(a["id"])])
        call_action(
            "package_patch",
            context={"user": site_user["name"]},
            id=a["id"],
            lineage=[_link(b["id"], "validated_against")],
        )

        result = call_action("skpd_lineage_show", id="siklus-a", depth=5)

        assert _titles(result) == {"Siklus A", "Siklus B"}
        assert _edges(result) == {
            ("siklus-a", "siklus-b", "derived_from"),
            ("siklus-b", "siklus-a", "validated_against"),
        }

    def test_deleted_upstream_shows_as_missing(self, chain, site_user):
        """A link to a deleted dataset shows a missing node, without its name."""
        call_action(
            "package_delete", context={"user": site_user["name"]}, id="penduduk"
        )

        result = call_action("skpd_lineage_show", id="kunjungan", direction="up")

        missing = [n for n in result["nodes"] if n["kind"] == "missing"]
        assert len(missing) == 1
        assert set(missing[0]) == {"id", "kind", "depth", "direction"}
        assert chain["penduduk"]["id"] not in missing[0]["id"]
        assert result["missing"] == 1
        assert len(result["edges"]) == 1

    def test_purged_upstream_shows_as_missing(self, chain, site_user):
        """A link to a dataset that no longer exists at all shows as missing."""
        call_action("dataset_purge", context={"user": site_user["name"]}, id="penduduk")

        result = call_action("skpd_lineage_show", id="kunjungan", direction="up")

        assert [n["kind"] for n in result["nodes"]] == ["dataset", "missing"]

    def test_deleted_downstream_disappears(self, chain, site_user):
        """A deleted dataset no longer shows downstream of its sources."""
        call_action("package_delete", context={"user": site_user["name"]}, id="rekap")

        result = call_action("skpd_lineage_show", id="kunjungan", direction="down")

        assert _titles(result) == {"Kunjungan"}

    def test_rename_keeps_both_directions(self, chain, site_user):
        """Links are stored by id, so renaming a dataset keeps its lineage."""
        call_action(
            "package_patch",
            context={"user": site_user["name"]},
            id=chain["kunjungan"]["id"],
            name="kunjungan-puskesmas",
        )

        up = call_action("skpd_lineage_show", id="rekap", direction="up")
        down = call_action("skpd_lineage_show", id="penduduk", direction="down")

        assert "kunjungan-puskesmas" in {n.get("name") for n in up["nodes"]}
        assert "kunjungan-puskesmas" in {n.get("name") for n in down["nodes"]}

    def test_editing_one_dataset_updates_both_directions(self, chain, site_user):
        """Removing an upstream link removes the derived downstream link too."""
        call_action(
            "package_patch",
            context={"user": site_user["name"]},
            id=chain["rekap"]["id"],
            lineage=[],
        )

        down = call_action("skpd_lineage_show", id="kunjungan", direction="down")
        up = call_action("skpd_lineage_show", id="rekap", direction="up")

        assert _titles(down) == {"Kunjungan"}
        assert _titles(up) == {"Rekap"}

    def test_downstream_found_without_solr(self, chain, monkeypatch):
        """When Solr fails, downstream links come from the database instead."""
        import pysolr

        def broken(*args, **kwargs):
            raise pysolr.SolrError("Failed to connect to server")

        monkeypatch.setattr(pysolr.Solr, "search", broken)

        result = call_action(
            "skpd_lineage_show", id="penduduk", direction="down", depth=3
        )

        assert _titles(result) == {"Penduduk", "Kunjungan", "Rekap", "Rencana"}
