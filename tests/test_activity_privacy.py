"""Activity data and dataset lists never name an unreadable upstream.

A sysadmin creates a public dataset of Dinas Kesehatan, then links it to a
private dataset of Disdukcapil with a note, and an editor of Dinas
Kesehatan, who may not read that upstream, edits the description. So the
downstream dataset has three activities and two diffs that contain the
private id in the stored data. Five viewers compare what the activity
actions, the activity pages and ``current_package_list_with_resources``
return: anonymous, a member of another SKPD, the editor of Dinas Kesehatan,
an editor of Disdukcapil (who may read the upstream) and a sysadmin.

``ckan.auth.public_activity_stream_detail`` is on, so that anonymous users
and members of other SKPDs get the old versions and the diffs at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.skpd.activity_privacy import diff_text
from tests.helpers import add_member, token_headers

PRIVATE_NAME = "nik-rahasia-sumber"
PRIVATE_TITLE = "Daftar NIK rahasia sumber"
DOWNSTREAM = "kunjungan-berbasis-nik"
DOWNSTREAM_TITLE = "Kunjungan berbasis NIK"
# One word, so that the HTML diff, which writes spaces as &nbsp;, keeps it.
NOTE = "dicocokkan-dengan-NIK-rahasia"
READERS = ("owner_editor", "sysadmin")
OUTSIDERS = ("anonymous", "other_member", "downstream_editor")
VIEWERS = OUTSIDERS + READERS
LOGGED_IN = ("other_member", "downstream_editor") + READERS

pytestmark = [
    pytest.mark.usefixtures("with_plugins"),
    pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True),
]


def _as(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def world(
    clean_db: None,
    clean_index: None,
    dinkes: dict[str, Any],
    disdukcapil: dict[str, Any],
    skpd_factory: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    bappeda = skpd_factory(name="bappeda", title="Bappeda", skpd_code="5.01.01")
    sysadmin = factories.Sysadmin()
    group = factories.Group(name="kependudukan")
    private = call_action(
        "package_create",
        context=_as(sysadmin),
        name=PRIVATE_NAME,
        title=PRIVATE_TITLE,
        owner_org=disdukcapil["id"],
        private=True,
    )
    call_action(
        "package_create",
        context=_as(sysadmin),
        name=DOWNSTREAM,
        title=DOWNSTREAM_TITLE,
        owner_org=dinkes["id"],
        groups=[{"name": group["name"]}],
    )
    call_action(
        "package_patch",
        context=_as(sysadmin),
        id=DOWNSTREAM,
        lineage=[
            {"upstream": private["id"], "relation": "validated_against", "note": NOTE}
        ],
    )
    users = {
        "anonymous": None,
        "other_member": add_member(bappeda, "member"),
        "downstream_editor": add_member(dinkes, "editor"),
        "owner_editor": add_member(disdukcapil, "editor"),
        "sysadmin": sysadmin,
    }
    call_action(
        "package_patch",
        context=_as(users["downstream_editor"]),
        id=DOWNSTREAM,
        notes="Diperbarui oleh Dinas Kesehatan",
    )
    for who in LOGGED_IN:
        call_action("follow_dataset", context=_as(users[who]), id=DOWNSTREAM)
    activities = call_action(
        "package_activity_list", context={"ignore_auth": True}, id=DOWNSTREAM
    )
    return {
        "private": private,
        "group": group,
        "users": users,
        "headers": {who: token_headers(user) for who, user in users.items()},
        # Newest first: the editor's change, the link, the creation.
        "activity_ids": [activity["id"] for activity in activities],
    }


def _secrets(world: dict[str, Any]) -> tuple[str, ...]:
    return world["private"]["id"], PRIVATE_NAME, PRIVATE_TITLE, NOTE


def _check(
    text: str, world: dict[str, Any], who: str, reader_sees: str | None = None
) -> None:
    """Assert that ``text`` names the private upstream only to its readers.

    A reader gets ``reader_sees``, by default the private id.
    """
    if who in READERS:
        expected = reader_sees or world["private"]["id"]
        assert expected in text, f"{who} should get {expected!r}"
        return
    for secret in _secrets(world):
        assert secret not in text, f"{who} got {secret!r}"


def _unnumbered(diff: str) -> str:
    return re.sub(r"\b(difflib_chg_to|from|to)\d+_", r"\1_", diff)


def _api(app: Any, world: dict[str, Any], who: str, action: str, **params: Any) -> Any:
    return app.get(
        f"/api/3/action/{action}",
        params=params,
        headers=world["headers"][who],
        status=200,
    )


def test_activities_are_stored_unmasked(world):
    """The fixture leaves the private id in the stored data of two activities."""
    activities = call_action(
        "package_activity_list", context={"ignore_auth": True}, id=DOWNSTREAM
    )

    assert len(activities) == 3
    linked = [a for a in activities if world["private"]["id"] in str(a["data"])]
    assert len(linked) == 2


class TestActivityActions:
    @pytest.mark.parametrize(
        ("action", "who_may_call"),
        [
            ("package_activity_list", VIEWERS),
            ("organization_activity_list", VIEWERS),
            ("group_activity_list", VIEWERS),
            ("user_activity_list", VIEWERS),
            ("recently_changed_packages_activity_list", VIEWERS),
            ("dashboard_activity_list", LOGGED_IN),
        ],
    )
    def test_activity_list(self, app, world, action, who_may_call):
        """Every activity list names the private upstream only to its readers."""
        params = {
            "package_activity_list": {"id": DOWNSTREAM},
            "organization_activity_list": {"id": "dinas-kesehatan"},
            "group_activity_list": {"id": world["group"]["name"]},
            "user_activity_list": {"id": world["users"]["sysadmin"]["name"]},
        }.get(action, {})

        for who in who_may_call:
            response = _api(app, world, who, action, **params)

            assert response.json["result"], f"{action} is empty for {who}"
            _check(response.body, world, who)

    @pytest.mark.parametrize("include_data", [True, False])
    def test_activity_show(self, app, world, include_data):
        """activity_show names the private upstream only to its readers."""
        link_activity = world["activity_ids"][1]

        for who in VIEWERS:
            response = _api(
                app,
                world,
                who,
                "activity_show",
                id=link_activity,
                include_data=include_data,
            )

            _check(response.body, world, who)

    @pytest.mark.parametrize("object_type", ["package", None])
    def test_activity_data_show(self, app, world, object_type):
        """activity_data_show names the private upstream only to its readers."""
        params = {"id": world["activity_ids"][0]}
        if object_type:
            params["object_type"] = object_type

        for who in VIEWERS:
            response = _api(app, world, who, "activity_data_show", **params)

            _check(response.body, world, who)

    def test_placeholder_in_activity_data(self, app, world):
        """An outsider gets the placeholder, with the relation, in the old version."""
        response = _api(
            app,
            world,
            "other_member",
            "activity_data_show",
            id=world["activity_ids"][0],
            object_type="package",
        )

        assert response.json["result"]["lineage"] == [
            {
                "upstream": "",
                "relation": "validated_against",
                "note": "",
                "restricted": True,
            }
        ]

    @pytest.mark.parametrize("diff_type", ["unified", "context", "html"])
    def test_activity_diff(self, app, world, diff_type):
        """The diff adding the link names the private upstream only to its readers."""
        for who in VIEWERS:
            response = _api(
                app,
                world,
                who,
                "activity_diff",
                id=world["activity_ids"][1],
                object_type="package",
                diff_type=diff_type,
            )

            _check(response.body, world, who)
            assert response.json["result"]["diff"], f"empty diff for {who}"

    def test_outsider_diff_shows_the_placeholder(self, app, world):
        """An outsider's diff still shows that a restricted link was added."""
        response = _api(
            app,
            world,
            "anonymous",
            "activity_diff",
            id=world["activity_ids"][1],
            object_type="package",
        )

        assert '+      "restricted": true' in response.json["result"]["diff"]

    @pytest.mark.parametrize("diff_type", ["unified", "context", "html"])
    def test_diff_text_matches_core(self, world, diff_type):
        """diff_text formats a diff exactly as the activity plugin does."""
        context = _as(world["users"]["sysadmin"])

        result = call_action(
            "activity_diff",
            context=context,
            id=world["activity_ids"][1],
            object_type="package",
            diff_type=diff_type,
        )

        old, new = (a["data"]["package"] for a in result["activities"])
        # HtmlDiff numbers the anchors and row ids of each table it makes.
        assert _unnumbered(diff_text(old, new, diff_type)) == _unnumbered(
            result["diff"]
        )

    def test_stored_data_is_left_alone(self, world):
        """Masking for an outsider does not change the data of the session's row."""
        activity_id = world["activity_ids"][1]
        outsider = _as(world["users"]["other_member"])
        call_action(
            "activity_show", context=outsider, id=activity_id, include_data=True
        )

        stored = call_action(
            "activity_show",
            context={"ignore_auth": True},
            id=activity_id,
            include_data=True,
        )

        assert world["private"]["id"] in str(stored["data"])


# What a reader of the private upstream finds on each page. The version
# page renders the lineage with upstream titles, the changes pages contain
# the HTML diff, and the activity streams render no lineage at all, so
# there every viewer gets the title of the downstream dataset.
PAGE_READER_SEES = {
    "dataset_version": PRIVATE_TITLE,
    "dataset_changes": None,
    "dataset_changes_multiple": None,
    "dataset_activity": DOWNSTREAM_TITLE,
    "organization_activity": DOWNSTREAM_TITLE,
    "group_activity": DOWNSTREAM_TITLE,
    "user_activity": DOWNSTREAM_TITLE,
    "dashboard": DOWNSTREAM_TITLE,
}


def _page_url(page: str, world: dict[str, Any]) -> str:
    newest, link, created = world["activity_ids"]
    return {
        "dataset_activity": f"/dataset/activity/{DOWNSTREAM}",
        "dataset_changes": f"/dataset/changes/{link}",
        "dataset_changes_multiple": (
            f"/dataset/changes_multiple?old_id={created}&new_id={newest}"
        ),
        "dataset_version": f"/en/dataset/{DOWNSTREAM}?activity_id={link}",
        "organization_activity": "/organization/activity/dinas-kesehatan",
        "group_activity": f"/group/activity/{world['group']['name']}",
        "user_activity": f"/user/activity/{world['users']['sysadmin']['name']}",
        "dashboard": "/dashboard/",
    }[page]


class TestActivityPages:
    @pytest.mark.parametrize("page", sorted(PAGE_READER_SEES))
    def test_page(self, app, world, page):
        """Each activity page names the private upstream only to its readers."""
        url = _page_url(page, world)
        viewers = LOGGED_IN if page == "dashboard" else VIEWERS

        for who in viewers:
            response = app.get(url, headers=world["headers"][who])

            assert response.status_code == 200, f"{page} failed for {who}"
            _check(response.body, world, who, PAGE_READER_SEES[page])
            if page == "dataset_version" and who in OUTSIDERS:
                assert "Restricted dataset" in response.body


class TestCurrentPackageList:
    def test_results_follow_the_viewer(self, app, world):
        """The dataset list names the private upstream only to its readers."""
        for who in VIEWERS:
            response = _api(app, world, who, "current_package_list_with_resources")

            names = [pkg["name"] for pkg in response.json["result"]]
            assert DOWNSTREAM in names, f"{who} did not get the downstream dataset"
            _check(response.body, world, who)
