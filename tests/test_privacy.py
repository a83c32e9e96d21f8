"""Lineage upstreams the viewer may not read are never named.

A public dataset of Dinas Kesehatan is built from a private dataset of
Disdukcapil, a public one and an external URI. Four viewers compare what
they get: anonymous, a member of another SKPD, an editor of Disdukcapil
(who may read the private upstream) and a sysadmin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.helpers import add_member, token_headers

PRIVATE_NAME = "nik-rahasia-sumber"
PRIVATE_TITLE = "Daftar NIK rahasia sumber"
EXTERNAL = "https://data.go.id/dataset/penduduk"
READERS = ("owner_editor", "sysadmin")
OUTSIDERS = ("anonymous", "other_member")
VIEWERS = OUTSIDERS + READERS


@pytest.fixture
def world(
    clean_db: None,
    clean_index: None,
    dinkes: dict[str, Any],
    disdukcapil: dict[str, Any],
    skpd_factory: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    bappeda = skpd_factory(name="bappeda", title="Bappeda", skpd_code="5.01.01")
    site = call_action("get_site_user", context={"ignore_auth": True})
    context = {"user": site["name"]}
    private = call_action(
        "package_create",
        context=dict(context),
        name=PRIVATE_NAME,
        title=PRIVATE_TITLE,
        owner_org=disdukcapil["id"],
        private=True,
    )
    public = call_action(
        "package_create",
        context=dict(context),
        name="penduduk-terbuka",
        title="Penduduk terbuka",
        owner_org=disdukcapil["id"],
    )
    downstream = call_action(
        "package_create",
        context=dict(context),
        name="kunjungan-berbasis-nik",
        title="Kunjungan berbasis NIK",
        owner_org=dinkes["id"],
        lineage=[
            {"upstream": public["id"], "relation": "derived_from"},
            {
                "upstream": private["id"],
                "relation": "validated_against",
                "note": "dicocokkan dengan data rahasia",
            },
            {"upstream": EXTERNAL, "relation": "copy_of"},
        ],
    )
    users = {
        "anonymous": None,
        "other_member": add_member(bappeda, "member"),
        "owner_editor": add_member(disdukcapil, "editor"),
        "sysadmin": factories.Sysadmin(),
    }
    return {
        "private": private,
        "public": public,
        "downstream": downstream,
        "users": users,
        "headers": {who: token_headers(user) for who, user in users.items()},
        "downstream_editor": add_member(dinkes, "editor"),
    }


def _secrets(world: dict[str, Any]) -> tuple[str, str, str]:
    return world["private"]["id"], PRIVATE_NAME, PRIVATE_TITLE


def _assert_hidden(text: str, world: dict[str, Any]) -> None:
    for secret in _secrets(world):
        assert secret not in text


def _api(app: Any, world: dict[str, Any], who: str, action: str, **params: Any) -> Any:
    response = app.get(
        f"/api/3/action/{action}", params=params, headers=world["headers"][who]
    )
    return response


def _entries_by_relation(lineage: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["relation"]: entry for entry in lineage}


@pytest.mark.usefixtures("with_plugins")
class TestPackageShow:
    @pytest.mark.parametrize("who", OUTSIDERS)
    def test_outsider_gets_a_placeholder(self, app, world, who):
        """An outsider gets a placeholder that keeps only the relation."""
        response = _api(app, world, who, "package_show", id="kunjungan-berbasis-nik")

        _assert_hidden(response.body, world)
        lineage = response.json["result"]["lineage"]
        assert _entries_by_relation(lineage)["validated_against"] == {
            "upstream": "",
            "relation": "validated_against",
            "note": "",
            "restricted": True,
        }

    @pytest.mark.parametrize("who", OUTSIDERS)
    def test_outsider_keeps_public_upstreams(self, app, world, who):
        """Public upstreams and external URIs are not masked."""
        response = _api(app, world, who, "package_show", id="kunjungan-berbasis-nik")

        entries = _entries_by_relation(response.json["result"]["lineage"])
        assert entries["derived_from"]["upstream"] == world["public"]["id"]
        assert entries["copy_of"]["upstream"] == EXTERNAL

    @pytest.mark.parametrize("who", READERS)
    def test_reader_gets_the_private_upstream(self, app, world, who):
        """A reader of the private upstream gets its id and the note."""
        response = _api(app, world, who, "package_show", id="kunjungan-berbasis-nik")

        entry = _entries_by_relation(response.json["result"]["lineage"])[
            "validated_against"
        ]
        assert entry["upstream"] == world["private"]["id"]
        assert entry["note"] == "dicocokkan dengan data rahasia"
        assert "restricted" not in entry

    def test_uncached_dict_is_masked_too(self, world):
        """The dict built from the database, not from the index, is masked too."""
        user = world["users"]["other_member"]
        context = {"user": user["name"], "ignore_auth": False, "use_cache": False}

        result = call_action(
            "package_show", context=context, id="kunjungan-berbasis-nik"
        )

        _assert_hidden(json.dumps(result), world)

    def test_default_schema_extras_are_masked(self, app, world):
        """The dict of CKAN's default schema is masked as well."""
        response = _api(
            app,
            world,
            "anonymous",
            "package_show",
            id="kunjungan-berbasis-nik",
            use_default_schema=True,
        )

        _assert_hidden(response.body, world)
        assert '"restricted": true' in response.body


@pytest.mark.usefixtures("with_plugins")
class TestPackageSearch:
    @pytest.mark.parametrize("who", VIEWERS)
    def test_results_follow_the_viewer(self, app, world, who):
        """Search results name the private upstream only to its readers."""
        response = _api(
            app, world, who, "package_search", q="name:kunjungan-berbasis-nik"
        )

        assert response.json["result"]["count"] == 1
        if who in READERS:
            assert world["private"]["id"] in response.body
        else:
            _assert_hidden(response.body, world)

    @pytest.mark.parametrize(
        "fields", ["skpd_upstream", "validated_data_dict", "data_dict"]
    )
    def test_raw_index_fields_are_masked(self, app, world, fields):
        """Index fields asked for with fl do not give the private id away."""
        response = _api(
            app,
            world,
            "anonymous",
            "package_search",
            q="name:kunjungan-berbasis-nik",
            fl=f"id,{fields}",
        )

        assert response.json["result"]["count"] == 1
        _assert_hidden(response.body, world)

    @pytest.mark.parametrize("who", VIEWERS)
    def test_upstream_id_is_not_searchable(self, app, world, who):
        """No search finds a dataset by the id of its upstream."""
        private_id = world["private"]["id"]
        for params in ({"fq": f"skpd_upstream:{private_id}"}, {"q": private_id}):
            response = _api(app, world, who, "package_search", **params)

            names = [r["name"] for r in response.json["result"]["results"]]
            assert "kunjungan-berbasis-nik" not in names, params

    def test_downstream_lineage_of_private_dataset(self, app, world):
        """The lineage graph still finds the downstream dataset for a sysadmin."""
        response = _api(
            app,
            world,
            "sysadmin",
            "skpd_lineage_show",
            id=world["private"]["id"],
            direction="down",
        )

        ids = {node["id"] for node in response.json["result"]["nodes"]}
        assert world["downstream"]["id"] in ids


@pytest.mark.usefixtures("with_plugins")
class TestPages:
    @pytest.mark.parametrize("who", VIEWERS)
    def test_dataset_page(self, app, world, who):
        """The dataset page names the private upstream only to its readers."""
        page = app.get(
            "/en/dataset/kunjungan-berbasis-nik", headers=world["headers"][who]
        ).body

        if who in READERS:
            assert PRIVATE_TITLE in page
        else:
            _assert_hidden(page, world)
            assert "Restricted dataset" in page

    @pytest.mark.parametrize("who", VIEWERS)
    def test_lineage_tab(self, app, world, who):
        """The lineage tab names the private upstream only to its readers."""
        page = app.get(
            "/dataset/kunjungan-berbasis-nik/lineage", headers=world["headers"][who]
        ).body

        if who in READERS:
            assert PRIVATE_TITLE in page
        else:
            _assert_hidden(page, world)


def _private_entry(world: dict[str, Any]) -> dict[str, Any]:
    stored = call_action("package_show", id="kunjungan-berbasis-nik")["lineage"]
    return [e for e in stored if e["upstream"] == world["private"]["id"]]


@pytest.mark.usefixtures("with_plugins")
class TestUpdateKeepsHiddenLinks:
    def test_show_then_update_keeps_the_link(self, app, world):
        """An editor who may not read the upstream saves without losing it."""
        headers = token_headers(world["downstream_editor"])
        shown = app.get(
            "/api/3/action/package_show",
            params={"id": "kunjungan-berbasis-nik"},
            headers=headers,
        ).json["result"]
        shown["notes"] = "Diperbarui"

        app.post(
            "/api/3/action/package_update", json=shown, headers=headers, status=200
        )

        stored = call_action("package_show", id="kunjungan-berbasis-nik")
        assert stored["notes"] == "Diperbarui"
        assert _private_entry(world) == [
            {
                "upstream": world["private"]["id"],
                "relation": "validated_against",
                "note": "dicocokkan dengan data rahasia",
            }
        ]
        assert len(stored["lineage"]) == 3

    def test_patch_keeps_the_link(self, app, world):
        """Replacing the visible entries by a patch keeps the hidden one."""
        headers = token_headers(world["downstream_editor"])
        placeholder = {"upstream": "", "relation": "derived_from", "restricted": True}

        app.post(
            "/api/3/action/package_patch",
            json={
                "id": "kunjungan-berbasis-nik",
                "lineage": [{"upstream": EXTERNAL, "relation": "copy_of"}, placeholder],
            },
            headers=headers,
            status=200,
        )

        stored = call_action("package_show", id="kunjungan-berbasis-nik")["lineage"]
        assert [e["upstream"] for e in stored] == [EXTERNAL, world["private"]["id"]]

    def test_lone_placeholder_is_dropped(self, app, world):
        """A placeholder where nothing is hidden is dropped, not an error."""
        headers = token_headers(world["users"]["sysadmin"])

        app.post(
            "/api/3/action/package_patch",
            json={
                "id": "penduduk-terbuka",
                "lineage": [
                    {"upstream": "", "relation": "copy_of", "restricted": True}
                ],
            },
            headers=headers,
            status=200,
        )

        assert call_action("package_show", id="penduduk-terbuka").get("lineage") in (
            None,
            [],
        )

    def test_form_step_keeps_the_link(self, app, world):
        """The lineage step of the form shows a placeholder and saving keeps it."""
        headers = token_headers(world["downstream_editor"])
        form = app.get("/dataset/edit/kunjungan-berbasis-nik/4", headers=headers).body
        _assert_hidden(form, world)
        assert 'name="lineage-1-restricted" value="true"' in form

        app.post(
            "/dataset/edit/kunjungan-berbasis-nik/4",
            data={
                "skpd_form_fields": "lineage",
                "lineage-0-upstream": world["public"]["id"],
                "lineage-0-relation": "derived_from",
                "lineage-1-upstream": "",
                "lineage-1-restricted": "true",
                "lineage-1-relation": "validated_against",
            },
            headers=headers,
        )

        stored = call_action("package_show", id="kunjungan-berbasis-nik")["lineage"]
        assert [e["upstream"] for e in stored] == [
            world["public"]["id"],
            world["private"]["id"],
        ]

    def test_missing_upstream_is_still_an_error(self, app, world):
        """An entry without upstream and without the restricted mark is rejected."""
        headers = token_headers(world["downstream_editor"])

        response = app.post(
            "/api/3/action/package_patch",
            json={
                "id": "kunjungan-berbasis-nik",
                "lineage": [{"upstream": "", "relation": "copy_of"}],
            },
            headers=headers,
            status=409,
        )

        assert response.json["error"]["lineage"][0]["upstream"]


NOTE_WORD = "dicocokkan"


@pytest.mark.usefixtures("with_plugins")
class TestSavingAnswers:
    @pytest.mark.parametrize(
        ("action", "extra"),
        [
            ("package_patch", {}),
            ("package_update", {"title": "Kunjungan berbasis NIK"}),
            ("package_revise", None),
        ],
    )
    def test_saved_dataset_is_masked(self, app, world, action, extra):
        """The dict a save returns masks what package_show would mask."""
        headers = token_headers(world["downstream_editor"])
        if action == "package_revise":
            body = {
                "match": {"name": "kunjungan-berbasis-nik"},
                "update": {"notes": "diubah"},
            }
        elif action == "package_update":
            stored = call_action(
                "package_show",
                context={"user": world["downstream_editor"]["name"]},
                id="kunjungan-berbasis-nik",
            )
            body = dict(stored, notes="diubah", **extra)
        else:
            body = {"id": "kunjungan-berbasis-nik", "notes": "diubah"}

        response = app.post(
            f"/api/3/action/{action}", json=body, headers=headers, status=200
        )

        _assert_hidden(response.body, world)
        assert NOTE_WORD not in response.body
        stored = call_action("package_show", id="kunjungan-berbasis-nik")["lineage"]
        assert world["private"]["id"] in [e["upstream"] for e in stored]


@pytest.mark.usefixtures("with_plugins")
class TestSearchLeaks:
    def test_upstream_facet_is_masked(self, app, world):
        """The skpd_upstream facet does not list the private id."""
        response = _api(
            app,
            world,
            "anonymous",
            "package_search",
            **{"facet.field": json.dumps(["skpd_upstream", "extras_lineage"])},
        )

        _assert_hidden(response.body, world)
        assert NOTE_WORD not in response.body
        assert world["public"]["id"] in response.body

    def test_note_is_not_searchable(self, app, world):
        """A word of a lineage note finds nothing."""
        response = _api(app, world, "anonymous", "package_search", q=NOTE_WORD)

        assert response.json["result"]["count"] == 0

    @pytest.mark.parametrize("who", VIEWERS)
    def test_lineage_graph_note_follows_the_upstream(self, app, world, who):
        """The graph shows the note only to those who may read the upstream."""
        response = _api(
            app, world, who, "skpd_lineage_show", id="kunjungan-berbasis-nik"
        )

        if who in READERS:
            assert NOTE_WORD in response.body
        else:
            assert NOTE_WORD not in response.body


@pytest.mark.usefixtures("with_plugins")
class TestDeletedUpstream:
    @pytest.mark.parametrize("who", VIEWERS)
    def test_deleted_private_upstream_stays_hidden(self, app, world, who):
        """Deleting the private upstream does not publish its id or the note."""
        site = call_action("get_site_user", context={"ignore_auth": True})
        call_action(
            "package_delete", context={"user": site["name"]}, id=world["private"]["id"]
        )

        shown = _api(app, world, who, "package_show", id="kunjungan-berbasis-nik")
        graph = _api(app, world, who, "skpd_lineage_show", id="kunjungan-berbasis-nik")

        for response in (shown, graph):
            if who in READERS:
                assert NOTE_WORD in response.body
            else:
                assert world["private"]["id"] not in response.body
                assert NOTE_WORD not in response.body
