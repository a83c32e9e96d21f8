"""Controlled vocabularies of the SKPD metadata schema.

Every controlled value has a stable code, which is what the database, the
Solr index and the Action API carry, and an Indonesian and an English label
for people. The scheming schemas, the validators, the search facets and the
templates all read the vocabularies from here, so a value is defined once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Term:
    """One controlled value: its code, its labels and optional mappings."""

    code: str
    id: str
    en: str
    extra: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.id


def _terms(*rows: tuple[Any, ...]) -> tuple[Term, ...]:
    return tuple(Term(*row) for row in rows)


# Step 2: how a dataset is collected.
COLLECTION_METHOD = _terms(
    ("routine_periodic", "Rutin-periodik", "Routine and periodic"),
    ("ad_hoc", "Insidental (ad hoc)", "Ad hoc"),
)

# The ISO 8601 duration and the EU frequency vocabulary code of each cadence
# are used by the data.json and DCAT mappings.
CADENCE = _terms(
    ("daily", "Harian", "Daily", {"iso": "P1D", "eu": "DAILY"}),
    ("weekly", "Mingguan", "Weekly", {"iso": "P1W", "eu": "WEEKLY"}),
    ("monthly", "Bulanan", "Monthly", {"iso": "P1M", "eu": "MONTHLY"}),
    ("quarterly", "Triwulanan", "Quarterly", {"iso": "P3M", "eu": "QUARTERLY"}),
    ("semiannual", "Semesteran", "Every six months", {"iso": "P6M", "eu": "BIANNUAL"}),
    ("annual", "Tahunan", "Annual", {"iso": "P1Y", "eu": "ANNUAL"}),
    ("biennial", "Dua tahunan", "Every two years", {"iso": "P2Y", "eu": "BIENNIAL"}),
    ("triennial", "Tiga tahunan", "Every three years", {"iso": "P3Y", "eu": "TRIENNIAL"}),
    ("quinquennial", "Lima tahunan", "Every five years", {"iso": "P5Y", "eu": "QUINQUENNIAL"}),
    ("irregular", "Tidak tentu", "Irregular", {"eu": "IRREG"}),
)

COLLECTION_TECHNIQUE = _terms(
    ("administrative_records", "Catatan administrasi", "Administrative records"),
    ("survey", "Survei", "Survey"),
    ("census", "Sensus", "Census"),
    ("compilation", "Kompilasi produk administrasi", "Compilation"),
    ("system_sensor", "Sistem atau sensor", "Information system or sensor"),
)

# Step 3: the digitisation ladder, from the most digital form to the least.
AVAILABILITY_FORM = _terms(
    ("sim_database", "Database sistem informasi (SIM)", "Information system database"),
    ("office_files", "Berkas aplikasi perkantoran", "Computerised office files"),
    ("processed_hardcopy", "Hardcopy hasil pengolahan", "Processed hardcopy"),
    ("raw_hardcopy", "Hardcopy data mentah", "Raw hardcopy"),
)

# Step 4: how a dataset relates to the dataset it is built from.
RELATION_TYPE = _terms(
    ("derived_from", "Diturunkan dari", "Derived from"),
    ("aggregated_from", "Agregasi dari", "Aggregated from"),
    ("validated_against", "Divalidasi dengan / merujuk", "Validated against or referencing"),
    ("copy_of", "Salinan dari", "Copy of"),
)

# Step 5: the status of an exchange between two SKPD.
EXCHANGE_STATUS = _terms(
    ("identified", "Teridentifikasi", "Identified"),
    ("agreed", "Disepakati", "Agreed"),
    ("running", "Berjalan", "Running"),
    ("stopped", "Berhenti", "Stopped"),
)

# Step 6: the authority role of an SKPD over a dataset. The last two are the
# Satu Data Indonesia roles (Perpres 39/2019) at dataset level.
AUTHORITY_ROLE = _terms(
    ("collector", "Pengumpul", "Collector"),
    ("processor", "Pengolah", "Processor"),
    ("provider", "Penyedia", "Provider"),
    ("user", "Pengguna (pemanfaat)", "User"),
    ("owner", "Pemilik (produsen data)", "Owner (data producer)"),
    ("custodian", "Walidata", "Custodian (walidata)"),
)

# Step 7: the means of exchange.
EXCHANGE_METHOD = _terms(
    ("api", "API", "API"),
    ("database_link", "Tautan basis data", "Database link"),
    ("file_export", "Ekspor berkas", "File export"),
    ("manual_delivery", "Penyerahan manual", "Manual delivery"),
)

# The government affairs the catalogue groups data by. The first five are
# the first integration targets of a city government.
DOMAIN = _terms(
    ("regional_finance", "Keuangan daerah", "Regional finance"),
    ("staffing", "Kepegawaian", "Civil-service staffing"),
    ("population", "Kependudukan", "Population"),
    ("health_services", "Layanan kesehatan", "Health services"),
    ("spatial", "Data spasial", "Spatial data"),
    ("education", "Pendidikan", "Education"),
    ("economy", "Perekonomian", "Economy"),
    ("infrastructure", "Infrastruktur", "Infrastructure"),
    ("social_welfare", "Sosial", "Social welfare"),
    ("environment", "Lingkungan hidup", "Environment"),
    ("governance", "Pemerintahan", "Governance"),
    ("other", "Lainnya", "Other"),
)

# Access levels follow the public-information law: open, limited, closed.
ACCESS_LEVEL = _terms(
    ("open", "Terbuka", "Open", {"pod": "public"}),
    ("limited", "Terbatas", "Limited", {"pod": "restricted public"}),
    ("closed", "Tertutup", "Closed", {"pod": "non-public"}),
)

# Organization (SKPD) vocabularies.
SKPD_KIND = _terms(
    ("dinas", "Dinas", "Agency office (dinas)"),
    ("badan", "Badan", "Board (badan)"),
    ("kantor", "Kantor", "Office (kantor)"),
    ("sekretariat", "Sekretariat / bagian", "Secretariat or division"),
    ("kecamatan", "Kecamatan", "District (kecamatan)"),
    ("kelurahan", "Kelurahan / desa", "Sub-district (kelurahan)"),
    ("upt", "UPT (mis. puskesmas, RSUD)", "Technical unit (UPT, e.g. puskesmas)"),
    ("vertical", "Instansi vertikal", "Central-government office"),
)

SATU_DATA_ROLE = _terms(
    ("walidata", "Walidata", "Data custodian (walidata)"),
    ("walidata_pendukung", "Walidata pendukung", "Supporting data custodian"),
    ("produsen_data", "Produsen data", "Data producer"),
)

VOCABULARIES: dict[str, tuple[Term, ...]] = {
    "collection_method": COLLECTION_METHOD,
    "cadence": CADENCE,
    "collection_technique": COLLECTION_TECHNIQUE,
    "availability_form": AVAILABILITY_FORM,
    "relation_type": RELATION_TYPE,
    "exchange_status": EXCHANGE_STATUS,
    "authority_role": AUTHORITY_ROLE,
    "exchange_method": EXCHANGE_METHOD,
    "domain": DOMAIN,
    "access_level": ACCESS_LEVEL,
    "skpd_kind": SKPD_KIND,
    "satu_data_role": SATU_DATA_ROLE,
    # Government affairs (urusan) reuse the domain list, so an SKPD's
    # affairs and its datasets' domains can be matched.
    "urusan": DOMAIN,
}


def terms(vocabulary: str) -> tuple[Term, ...]:
    """Return the terms of a vocabulary, raising KeyError for an unknown name."""
    return VOCABULARIES[vocabulary]


def codes(vocabulary: str) -> list[str]:
    return [term.code for term in terms(vocabulary)]


def get_term(vocabulary: str, code: str) -> Term | None:
    for term in terms(vocabulary):
        if term.code == code:
            return term
    return None


def label(vocabulary: str, code: str, lang: str | None = None) -> str:
    """Return the label of a code, or the code itself when it is unknown."""
    term = get_term(vocabulary, code)
    return term.label(lang) if term else code


def scheming_choices(vocabulary: str) -> list[dict[str, Any]]:
    """Return a vocabulary in the choice format ckanext-scheming expects."""
    return [
        {"value": term.code, "label": {"id": term.id, "en": term.en}}
        for term in terms(vocabulary)
    ]
