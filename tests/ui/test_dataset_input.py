"""Repeating fields sent with the wrong shape through the Action API.

Each wrong shape gets HTTP 409 with a ValidationError on the field that
names the expected shape, in the request's language, and nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

KEYS = {
    "lineage": "upstream, relation, note",
    "exchange_needs": "consumer, purpose, frequency, method, status",
    "authority_roles": "role, holder",
}

# A valid entry of each field, for the shapes that mix it with bad ones.
VALID_ENTRY = {
    "lineage": {
        "upstream": "https://data.go.id/dataset/penduduk",
        "relation": "copy_of",
    },
    "exchange_needs": {"consumer": "dinas-kesehatan", "status": "identified"},
    "authority_roles": {"role": "collector", "holder": "dinas-kesehatan"},
}

# Wrong shape name -> (value for a field, Indonesian message after the keys).
WRONG_SHAPES: dict[str, tuple[Any, str]] = {
    "text": ("abc", "tetapi yang dikirim teks. Kirim [] bila tidak ada isian."),
    "json_text": (
        '[{"role": "collector"}]',
        "tetapi yang dikirim teks. Kirim [] bila tidak ada isian.",
    ),
    "number": (5, "tetapi yang dikirim angka. Kirim [] bila tidak ada isian."),
    "boolean": (
        True,
        "tetapi yang dikirim nilai benar atau salah. Kirim [] bila tidak ada isian.",
    ),
    "null": (None, "tetapi yang dikirim null. Kirim [] bila tidak ada isian."),
    "object": (
        {"role": "collector"},
        "tetapi yang dikirim objek. Kirim [] bila tidak ada isian.",
    ),
    "strings": (["a", "b"], "tetapi isian ke-1 berupa teks."),
    "numbers": ([1, 2], "tetapi isian ke-1 berupa angka."),
    "lists": ([[1]], "tetapi isian ke-1 berupa daftar."),
}


def _token_of_editor(org: dict[str, Any]) -> dict[str, str]:
    user = factories.User()
    call_action(
        "organization_member_create", id=org["id"], username=user["name"], role="editor"
    )
    token = call_action(
        "api_token_create", context={"user": user["name"]}, user=user["name"], name="t"
    )
    return {"Authorization": token["token"]}


def _post(
    app: Any,
    action: str,
    body: dict[str, Any],
    headers: dict[str, str],
    prefix: str = "",
) -> tuple[int, dict[str, Any]]:
    response = app.post(f"{prefix}/api/3/action/{action}", json=body, headers=headers)
    return response.status_code, json.loads(response.body)


def _error(payload: dict[str, Any], field: str) -> str:
    assert payload["success"] is False
    assert payload["error"]["__type"] == "Validation Error"
    messages = payload["error"][field]
    assert len(messages) == 1
    return messages[0]


def _dataset_count() -> int:
    return model.Session.query(model.Package).count()


@pytest.fixture
def headers(dinkes: dict[str, Any]) -> dict[str, str]:
    return _token_of_editor(dinkes)


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestCreate:
    @pytest.mark.parametrize("field", list(KEYS))
    def test_wrong_shapes_rejected(self, app, dinkes, headers, field):
        """Each wrong shape is a 409 naming the field and the expected keys."""
        for shape, (value, tail) in WRONG_SHAPES.items():
            body = {"name": "data-uji", "owner_org": dinkes["id"], field: value}

            status, payload = _post(app, "package_create", body, headers)

            assert status == 409, shape
            message = _error(payload, field)
            assert message.startswith(f"{field} tidak sah: harus berupa daftar"), shape
            assert f"objek dengan kunci {KEYS[field]}, " in message, shape
            assert message.endswith(tail), shape
            assert _dataset_count() == 0, shape

    @pytest.mark.parametrize("field", list(KEYS))
    def test_bad_entry_after_good_one(self, app, dinkes, headers, field):
        """A list of a valid object and a string names the second entry."""
        body = {
            "name": "data-uji",
            "owner_org": dinkes["id"],
            field: [VALID_ENTRY[field], "b"],
        }

        status, payload = _post(app, "package_create", body, headers)

        assert status == 409
        assert _error(payload, field).endswith("tetapi isian ke-2 berupa teks.")
        assert _dataset_count() == 0

    @pytest.mark.parametrize("field", list(KEYS))
    def test_nested_value_in_entry(self, app, dinkes, headers, field):
        """An object or list as the value of a key is rejected by name."""
        key = KEYS[field].split(", ")[0]
        entry = dict(VALID_ENTRY[field], **{key: {"id": "x"}})
        body = {"name": "data-uji", "owner_org": dinkes["id"], field: [entry]}

        status, payload = _post(app, "package_create", body, headers)

        assert status == 409
        assert _error(payload, field) == (
            f'{field} tidak sah: "{key}" pada isian ke-1 harus berupa satu nilai, '
            "bukan objek."
        )
        assert _dataset_count() == 0

    def test_every_wrong_field_reported(self, app, dinkes, headers):
        """Several wrong fields in one request each get their error."""
        body = {"name": "data-uji", "owner_org": dinkes["id"]}
        body.update({field: "abc" for field in KEYS})

        status, payload = _post(app, "package_create", body, headers)

        assert status == 409
        for field in KEYS:
            assert _error(payload, field).startswith(f"{field} tidak sah")

    def test_permission_checked_first(self, app, dinkes, disdukcapil):
        """A user who may not create in the SKPD gets a 403, not the shape error."""
        outsider = _token_of_editor(disdukcapil)
        body = {"name": "data-uji", "owner_org": dinkes["id"], "lineage": "abc"}

        status, payload = _post(app, "package_create", body, outsider)

        assert status == 403
        assert payload["error"]["__type"] == "Authorization Error"

    def test_english_message(self, app, dinkes, headers):
        """Under /en the message is English."""
        body = {"name": "data-uji", "owner_org": dinkes["id"], "lineage": "abc"}

        status, payload = _post(app, "package_create", body, headers, prefix="/en")

        assert status == 409
        assert _error(payload, "lineage") == (
            "Invalid lineage: expected a list of objects with the keys "
            "upstream, relation, note, but got text. Send [] for no entries."
        )

    def test_lists_of_objects_accepted(self, app, dinkes, headers):
        """Lists of objects and empty lists are still accepted."""
        body = {
            "name": "data-uji",
            "owner_org": dinkes["id"],
            "lineage": [VALID_ENTRY["lineage"]],
            "exchange_needs": [VALID_ENTRY["exchange_needs"]],
            "authority_roles": [],
        }

        status, payload = _post(app, "package_create", body, headers)

        assert status == 200, payload
        assert payload["result"]["lineage"] == [VALID_ENTRY["lineage"]]
        assert payload["result"]["exchange_needs"][0]["consumer"] == dinkes["id"]

    def test_unknown_keys_not_stored(self, app, dinkes, headers):
        """Keys an entry does not define are dropped, at any depth."""
        entry = dict(VALID_ENTRY["lineage"], junk={"deep": ["x" * 50]})
        body = {"name": "data-uji", "owner_org": dinkes["id"], "lineage": [entry]}

        status, payload = _post(app, "package_create", body, headers)

        assert status == 200, payload
        assert payload["result"]["lineage"] == [VALID_ENTRY["lineage"]]
        stored = model.Package.get("data-uji").extras["lineage"]
        assert "junk" not in stored

    @pytest.mark.parametrize("mark", [{"deep": ["x"]}, "sampah", True])
    def test_restricted_mark_kept_only_on_placeholders(
        self, app, dinkes, headers, mark
    ):
        """The placeholder mark is dropped from entries that are not placeholders."""
        body = {
            "name": "data-uji",
            "owner_org": dinkes["id"],
            "lineage": [dict(VALID_ENTRY["lineage"], restricted=mark)],
            "exchange_needs": [dict(VALID_ENTRY["exchange_needs"], restricted=mark)],
        }

        status, payload = _post(app, "package_create", body, headers)

        assert status == 200, payload
        extras = model.Package.get("data-uji").extras
        assert "restricted" not in extras["lineage"]
        assert "restricted" not in extras["exchange_needs"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestUpdate:
    @pytest.fixture
    def dataset(self, dinkes: dict[str, Any]) -> dict[str, Any]:
        site = call_action("get_site_user", context={"ignore_auth": True})["name"]
        return call_action(
            "package_create",
            context={"user": site},
            name="data-uji",
            owner_org=dinkes["id"],
            **{field: [entry] for field, entry in VALID_ENTRY.items()},
        )

    @pytest.mark.parametrize("field", list(KEYS))
    @pytest.mark.parametrize("action", ["package_update", "package_patch"])
    def test_wrong_shapes_rejected(self, app, headers, dataset, field, action):
        """Each wrong shape is a 409 on the field, and the stored value stays."""
        for shape, (value, tail) in WRONG_SHAPES.items():
            body = {"id": dataset["id"], field: value}
            if action == "package_update":
                body.update(name=dataset["name"], owner_org=dataset["owner_org"])

            status, payload = _post(app, action, body, headers)

            assert status == 409, shape
            assert _error(payload, field).endswith(tail), shape

        stored = call_action("package_show", id=dataset["id"])
        assert stored[field] == dataset[field]
        assert stored["metadata_modified"] == dataset["metadata_modified"]

    def test_english_message(self, app, headers, dataset):
        """Under /en the entry message is English."""
        body = {"id": dataset["id"], "authority_roles": ["collector"]}

        status, payload = _post(app, "package_patch", body, headers, prefix="/en")

        assert status == 409
        assert _error(payload, "authority_roles") == (
            "Invalid authority_roles: expected a list of objects with the keys "
            "role, holder, but entry 1 is text."
        )

    def test_permission_checked_first(self, app, disdukcapil, dataset):
        """A user who may not edit the dataset gets a 403, not the shape error."""
        outsider = _token_of_editor(disdukcapil)
        body = {"id": dataset["name"], "lineage": "abc"}

        status, payload = _post(app, "package_patch", body, outsider)

        assert status == 403
        assert payload["error"]["__type"] == "Authorization Error"

    def test_update_by_name(self, app, headers, dataset):
        """An update that names the dataset instead of its id is checked too."""
        body = {"name": dataset["name"], "owner_org": dataset["owner_org"]}
        body["lineage"] = {"upstream": "x"}

        status, payload = _post(app, "package_update", body, headers)

        assert status == 409
        assert _error(payload, "lineage").startswith("lineage tidak sah")

    def test_restricted_placeholder_still_accepted(self, app, headers, dataset):
        """A lineage placeholder with its extra ``restricted`` key still saves."""
        entry = {"upstream": "", "relation": "derived_from", "restricted": True}
        body = {"id": dataset["id"], "lineage": [VALID_ENTRY["lineage"], entry]}

        status, payload = _post(app, "package_patch", body, headers)

        assert status == 200, payload
        assert payload["result"]["lineage"] == [VALID_ENTRY["lineage"]]
