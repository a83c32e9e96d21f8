"""Two organizations cannot get the same SKPD code, even at the same moment.

Each thread has its own database session (``model.Session`` is scoped per
thread) and its own Flask request context, as two web requests would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests.helpers import call_action

# Upper bound for one organization_create in a thread.
TIMEOUT_SECONDS = 30


def _site_user() -> str:
    return call_action("get_site_user", context={"ignore_auth": True})["name"]


def _organization(name: str, code: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": name.title(),
        "kind": "dinas",
        "satu_data_role": "produsen_data",
        "skpd_code": code,
    }


class _Outcome:
    """The result or the exception of one thread's organization_create."""

    def __init__(self) -> None:
        self.result: dict[str, Any] | None = None
        self.error: Exception | None = None


def _run_in_thread(
    flask_app: Any, work: Callable[[], dict[str, Any]], outcome: _Outcome
) -> threading.Thread:
    def target() -> None:
        try:
            with flask_app.test_request_context():
                outcome.result = work()
        except Exception as err:  # noqa: BLE001 - the test inspects it
            outcome.error = err
        finally:
            model.Session.remove()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def _rows_with_code(code: str) -> int:
    model.Session.remove()
    return (
        model.Session.query(model.Group)
        .filter(
            model.Group.extras["skpd_code"].astext == code,
            model.Group.state != "deleted",
        )
        .count()
    )


def _code_error(outcome: _Outcome) -> list[str]:
    assert isinstance(outcome.error, tk.ValidationError), repr(outcome.error)
    return outcome.error.error_dict["skpd_code"]


def _waiting_advisory_locks() -> int:
    with model.meta.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks"
                " WHERE locktype = 'advisory' AND NOT granted"
            )
        ).scalar_one()


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestConcurrentCodes:
    @pytest.mark.parametrize("round_number", range(5))
    def test_one_of_two_wins(self, app, round_number):
        """Two creations with one code at the same moment: exactly one succeeds."""
        code = f"9.9{round_number}.01"
        user = _site_user()
        barrier = threading.Barrier(2)
        outcomes = [_Outcome(), _Outcome()]

        def create(name: str) -> Callable[[], dict[str, Any]]:
            def work() -> dict[str, Any]:
                barrier.wait(TIMEOUT_SECONDS)
                return call_action(
                    "organization_create",
                    context={"user": user},
                    **_organization(name, code),
                )

            return work

        threads = [
            _run_in_thread(app.flask_app, create(f"skpd-{round_number}-{n}"), o)
            for n, o in enumerate(outcomes)
        ]
        for thread in threads:
            thread.join(TIMEOUT_SECONDS)

        assert not any(thread.is_alive() for thread in threads)
        winners = [o for o in outcomes if o.result is not None]
        losers = [o for o in outcomes if o.result is None]
        assert len(winners) == 1, [repr(o.error) for o in outcomes]
        assert len(losers) == 1
        messages = _code_error(losers[0])
        assert winners[0].result["name"] in messages[0]
        assert _rows_with_code(code) == 1

    def test_second_waits_for_first_commit(self, app):
        """The second creation waits on the code's lock until the first commits."""
        user = _site_user()
        first_validated = threading.Event()
        may_commit = threading.Event()
        first, second = _Outcome(), _Outcome()

        def create_first() -> dict[str, Any]:
            # defer_commit keeps the transaction, and so the lock, open
            # until the explicit commit below.
            result = call_action(
                "organization_create",
                context={"user": user, "defer_commit": True},
                **_organization("skpd-first", "9.99.01"),
            )
            first_validated.set()
            may_commit.wait(TIMEOUT_SECONDS)
            model.repo.commit()
            return result

        def create_second() -> dict[str, Any]:
            return call_action(
                "organization_create",
                context={"user": user},
                **_organization("skpd-second", "9.99.01"),
            )

        first_thread = _run_in_thread(app.flask_app, create_first, first)
        assert first_validated.wait(TIMEOUT_SECONDS)
        second_thread = _run_in_thread(app.flask_app, create_second, second)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while _waiting_advisory_locks() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)

        assert _waiting_advisory_locks() == 1
        assert second_thread.is_alive()

        may_commit.set()
        first_thread.join(TIMEOUT_SECONDS)
        second_thread.join(TIMEOUT_SECONDS)

        assert first.error is None
        assert _code_error(second) == [
            'Kode SKPD "9.99.01" sudah dipakai oleh "skpd-first".'
        ]
        assert _rows_with_code("9.99.01") == 1

    def test_different_codes_do_not_wait(self, app):
        """Creations with different codes run side by side."""
        user = _site_user()
        first_validated = threading.Event()
        may_commit = threading.Event()
        first, second = _Outcome(), _Outcome()

        def create_first() -> dict[str, Any]:
            result = call_action(
                "organization_create",
                context={"user": user, "defer_commit": True},
                **_organization("skpd-first", "9.98.01"),
            )
            first_validated.set()
            may_commit.wait(TIMEOUT_SECONDS)
            model.repo.commit()
            return result

        def create_second() -> dict[str, Any]:
            return call_action(
                "organization_create",
                context={"user": user},
                **_organization("skpd-second", "9.98.02"),
            )

        first_thread = _run_in_thread(app.flask_app, create_first, first)
        assert first_validated.wait(TIMEOUT_SECONDS)
        second_thread = _run_in_thread(app.flask_app, create_second, second)
        second_thread.join(TIMEOUT_SECONDS)

        assert not second_thread.is_alive()
        assert second.error is None
        may_commit.set()
        first_thread.join(TIMEOUT_SECONDS)
        assert first.error is None


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestCodesThatLookAlike:
    @pytest.mark.parametrize(
        "variant",
        [
            "9.99.01\u200b",
            "\uff19.\uff19\uff19.\uff10\uff11",
            " 9.99.01 ",
            "9.99.01\ufe0f",
            "9.99.0\u03231",
            "9.99.01\u3164",
            "9.99.01\u2800",
        ],
        ids=[
            "zero-width-space",
            "full-width-digits",
            "spaces",
            "variation-selector",
            "combining-mark",
            "hangul-filler",
            "braille-blank",
        ],
    )
    def test_variant_is_the_same_code(self, variant):
        """A code that only looks different is taken by the first organization."""
        context = {"user": _site_user()}
        call_action(
            "organization_create",
            context=dict(context),
            **_organization("satu", "9.99.01"),
        )

        with pytest.raises(tk.ValidationError) as raised:
            call_action(
                "organization_create",
                context=dict(context),
                **_organization("dua", variant),
            )

        assert "skpd_code" in raised.value.error_dict
