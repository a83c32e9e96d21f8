"""A small catalogue with one private dataset in the middle of the lineage.

Disdukcapil's public ``penduduk`` feeds Dinas Kesehatan's private
``rahasia-kesehatan`` and public ``kunjungan``; Bappeda's public ``laporan``
is built from the private dataset, so its upstream chain passes through a
dataset that only Dinas Kesehatan's members (and sysadmins) may read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PRIVATE_TITLE = "Rahasia Kesehatan Pasien"
PRIVATE_NAME = "rahasia-kesehatan"


def build(
    make_dataset: Callable[..., dict[str, Any]],
    dinkes: dict[str, Any],
    disdukcapil: dict[str, Any],
    bappeda: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    penduduk = make_dataset(
        disdukcapil,
        "penduduk",
        title="Penduduk per Kecamatan",
        domains=["population"],
        collection_method="routine_periodic",
        cadence="semiannual",
        availability_forms=["sim_database"],
        exchange_methods=["api"],
        authority_roles=[{"role": "provider", "holder": disdukcapil["id"]}],
    )
    rahasia = make_dataset(
        dinkes,
        PRIVATE_NAME,
        title=PRIVATE_TITLE,
        private=True,
        domains=["health_services"],
        availability_forms=["raw_hardcopy"],
        lineage=[{"upstream": penduduk["id"], "relation": "validated_against"}],
        exchange_needs=[
            {
                "consumer": bappeda["id"],
                "status": "agreed",
                "method": "api",
                "frequency": "monthly",
            }
        ],
        authority_roles=[{"role": "user", "holder": bappeda["id"]}],
    )
    kunjungan = make_dataset(
        dinkes,
        "kunjungan",
        title="Kunjungan Puskesmas",
        domains=["health_services"],
        collection_method="routine_periodic",
        cadence="annual",
        availability_forms=["office_files"],
        exchange_methods=["file_export"],
        lineage=[{"upstream": penduduk["id"], "relation": "derived_from"}],
        exchange_needs=[
            {
                "consumer": disdukcapil["id"],
                "status": "running",
                "method": "file_export",
                "frequency": "annual",
            }
        ],
        authority_roles=[
            {"role": "collector", "holder": dinkes["id"]},
            {"role": "user", "holder": disdukcapil["id"]},
        ],
    )
    laporan = make_dataset(
        bappeda,
        "laporan",
        title="Laporan Perencanaan",
        domains=["governance"],
        lineage=[{"upstream": rahasia["id"], "relation": "derived_from"}],
    )
    return {
        "penduduk": penduduk,
        "rahasia": rahasia,
        "kunjungan": kunjungan,
        "laporan": laporan,
    }


def leaks(value: Any, private: dict[str, Any]) -> list[str]:
    """Return which identifying strings of ``private`` appear in ``value``."""
    text = str(value)
    return [s for s in (private["id"], private["name"], private["title"]) if s in text]
