"""Map Project Open Data 1.1 (``data.json``) records onto the SKPD schema.

Indonesian regional portals publish their catalogues as POD 1.1 documents.
Each record names its SKPD in ``publisher.name``, written differently from
portal to portal, and often carries the Satu Data standard fields (concept,
definition, unit, producer) as text inside the description. This module
turns one record into a dataset dict for ``package_create`` with the
ckanext-scheming schema of this extension, and returns the SKPD that publish,
produce and look after it.

Everything here is pure: no database, no network, no CKAN configuration.
The harvester resolves the SKPD names returned here to organizations.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from ckanext.skpd import vocab

# CKAN core's tag rules (ckan.model.tag and ckan.logic.validators).
TAG_MIN_LENGTH = 2
TAG_MAX_LENGTH = 100
_TAG_INVALID = re.compile(r"[^\w \-.]+", re.UNICODE)

ORG_NAME_MAX_LENGTH = 100

# The harvester copies a catalogue-level publisher into each record that
# names none, under this key, which POD 1.1 does not use.
CATALOGUE_PUBLISHER_KEY = "skpd:catalogPublisher"


@dataclass(frozen=True)
class Skpd:
    """An SKPD as named by a source, normalised.

    ``key`` is the comparison key: two names with the same key are the same
    SKPD. ``slug`` is the organization name derived from it.
    """

    key: str
    title: str
    abbreviation: str | None = None
    kind: str | None = None
    domains: tuple[str, ...] = ()
    raw: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.key)


@dataclass
class MappingResult:
    """The outcome of mapping one data.json record.

    :ivar package: the dataset dict, without ``name`` and ``owner_org``,
        which need the database
    :ivar publisher: the publishing SKPD, or None when the record names none
    :ivar producer: the producing SKPD named in the description, if any
    :ivar custodian: the SKPD named as contact point, if it is one
    :ivar unmapped: ``(field, value)`` pairs that matched no vocabulary
    :ivar problems: reasons the record cannot be imported as it is
    """

    package: dict[str, Any]
    publisher: Skpd | None = None
    producer: Skpd | None = None
    custodian: Skpd | None = None
    identifier: str | None = None
    unmapped: list[tuple[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def publisher_key(self) -> str | None:
        return self.publisher.key if self.publisher else None

    @property
    def publisher_title(self) -> str | None:
        return self.publisher.title if self.publisher else None


# SKPD names ------------------------------------------------------------------

# Abbreviations staff and portals write, with the official name, the kind of
# unit and the data domains. A name written out in full meets its
# abbreviation through the official name.
_ABBREVIATIONS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "BPKAD": (
        "Badan Pengelolaan Keuangan dan Aset Daerah", "badan", ("regional_finance",)
    ),
    "BAPENDA": ("Badan Pendapatan Daerah", "badan", ("regional_finance",)),
    "DIPENDA": ("Dinas Pendapatan Daerah", "dinas", ("regional_finance",)),
    "BAPPEDA": ("Badan Perencanaan Pembangunan Daerah", "badan", ("governance",)),
    "DISDUKCAPIL": (
        "Dinas Kependudukan dan Pencatatan Sipil", "dinas", ("population",)
    ),
    "DINKES": ("Dinas Kesehatan", "dinas", ("health_services",)),
    "DISKOMINFO": ("Dinas Komunikasi dan Informatika", "dinas", ("governance",)),
    "BKPSDM": (
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "badan",
        ("staffing",),
    ),
    "BKD": ("Badan Kepegawaian Daerah", "badan", ("staffing",)),
    "BKPP": (
        "Badan Kepegawaian, Pendidikan dan Pelatihan", "badan", ("staffing",)
    ),
    "BPBD": ("Badan Penanggulangan Bencana Daerah", "badan", ("social_welfare",)),
    "DPMPTSP": (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "dinas",
        ("economy",),
    ),
    "SATPOL PP": ("Satuan Polisi Pamong Praja", None, ("governance",)),
    "KESBANGPOL": ("Badan Kesatuan Bangsa dan Politik", "badan", ("governance",)),
    "DISDIK": ("Dinas Pendidikan", "dinas", ("education",)),
    "DINSOS": ("Dinas Sosial", "dinas", ("social_welfare",)),
    "DLH": ("Dinas Lingkungan Hidup", "dinas", ("environment",)),
    "DISHUB": ("Dinas Perhubungan", "dinas", ("infrastructure",)),
    "DISNAKER": ("Dinas Tenaga Kerja", "dinas", ("economy",)),
    "DISPERKIM": (
        "Dinas Perumahan dan Kawasan Permukiman", "dinas", ("infrastructure",)
    ),
    "DISTARU": ("Dinas Penataan Ruang", "dinas", ("spatial",)),
    "DPRD": ("Dewan Perwakilan Rakyat Daerah", None, ("governance",)),
    "SETDA": ("Sekretariat Daerah", "sekretariat", ("governance",)),
    "BPS": ("Badan Pusat Statistik", "vertical", ()),
    "BMKG": (
        "Badan Meteorologi, Klimatologi, dan Geofisika", "vertical", ("environment",)
    ),
    "BPN": ("Badan Pertanahan Nasional", "vertical", ("spatial",)),
    "KEMENAG": ("Kantor Kementerian Agama", "vertical", ()),
    "POLDA": ("Kepolisian Daerah", "vertical", ()),
    "POLRESTABES": ("Kepolisian Resor Kota Besar", "vertical", ()),
    "POLRES": ("Kepolisian Resor", "vertical", ()),
}

# Other spellings of an SKPD in the table above, as comparison keys.
_KEY_ALIASES = {
    "pelaksana badan penanggulangan bencana daerah": "BPBD",
}

# Administrative areas that end an SKPD name ("... Kota Semarang").
_REGION_SUFFIX = re.compile(
    r"\s+(?:kota|kabupaten|kab|provinsi|prov|pemerintah kota|pemkot|pemkab)"
    r"(?:\s+administrasi)?((?:\s+\w+){1,3})$"
)
_CONNECTORS = {"dan", "serta", "atau", "dengan"}
_SMALL_WORDS = _CONNECTORS | {"di", "ke", "dari", "untuk", "pada", "yang"}

_KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("pelaksana badan ", "badan"),
    ("dinas ", "dinas"),
    ("badan ", "badan"),
    ("kantor ", "kantor"),
    ("sekretariat ", "sekretariat"),
    ("bagian ", "sekretariat"),
    ("biro ", "sekretariat"),
    ("kecamatan ", "kecamatan"),
    ("kelurahan ", "kelurahan"),
    ("desa ", "kelurahan"),
    ("upt ", "upt"),
    ("uptd ", "upt"),
    ("rsud ", "upt"),
    ("rumah sakit ", "upt"),
    ("puskesmas ", "upt"),
)
_VERTICAL_WORDS = (
    "kementerian", "kepolisian", "polda", "polres", "polrestabes", "kodim",
    "korem", "kejaksaan", "pengadilan", "badan pusat statistik",
    "badan pertanahan nasional", "badan meteorologi",
)

# Words of an SKPD name and the domain they point to, checked in order.
_DOMAIN_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("health_services", ("kesehatan", "rsud", "rumah sakit", "puskesmas")),
    (
        "population",
        ("kependudukan", "pencatatan sipil", "disdukcapil", "pengendalian penduduk"),
    ),
    (
        "regional_finance",
        ("keuangan", "keuagan", "pendapatan", "aset daerah", "bpkad", "bapenda"),
    ),
    ("staffing", ("kepegawaian", "sumber daya manusia", "aparatur", "bkpsdm")),
    ("spatial", ("tata ruang", "penataan ruang", "pertanahan", "geospasial")),
    ("education", ("pendidikan",)),
    (
        "economy",
        (
            "perdagangan", "perindustrian", "koperasi", "usaha mikro", "pertanian",
            "perikanan", "peternakan", "pariwisata", "penanaman modal",
            "tenaga kerja", "ketahanan pangan", "tanaman pangan", "perkebunan",
            "perekonomian", "ekonomi", "bank",
        ),
    ),
    (
        "infrastructure",
        (
            "pekerjaan umum", "bina marga", "perhubungan", "perumahan",
            "permukiman", "pemukiman", "sumber daya air", "pdam", "pln",
        ),
    ),
    (
        "social_welfare",
        (
            "sosial", "perlindungan anak", "pemberdayaan perempuan",
            "kesejahteraan rakyat", "pemberdayaan masyarakat", "bencana",
        ),
    ),
    ("environment", ("lingkungan hidup", "kebersihan", "meteorologi")),
    (
        "governance",
        (
            "komunikasi", "informatika", "hukum", "organisasi", "pemerintahan",
            "inspektorat", "perwakilan rakyat", "dprd", "kesatuan bangsa",
            "pamong praja", "sekretariat", "arsip", "kecamatan", "kelurahan",
            "kota administrasi", "kerja sama", "perencanaan pembangunan",
        ),
    ),
)

# Dataset titles that point to spatial data whoever publishes them.
_SPATIAL_TITLE = re.compile(
    r"\b(peta|spasial|geospasial|tata ruang|rtrw|rdtr|batas wilayah|"
    r"penggunaan lahan|tutupan lahan|koordinat)\b",
    re.IGNORECASE,
)


def _words_key(name: str) -> str:
    text = name.lower().replace("&", " dan ")
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^\w]+", " ", text, flags=re.UNICODE)
    return re.sub(r"\s+", " ", text).strip()


def _strip_region(key: str) -> str:
    match = _REGION_SUFFIX.search(key)
    if not match or match.start() == 0:
        return key
    if set(match.group(1).split()) & _CONNECTORS:
        return key
    return key[: match.start()].strip()


def _abbreviation_index() -> dict[str, str]:
    index = {}
    for abbreviation, (official, _kind, _domains) in _ABBREVIATIONS.items():
        index[_words_key(abbreviation)] = abbreviation
        index.setdefault(_words_key(official), abbreviation)
    return index


_ABBREVIATION_BY_KEY = _abbreviation_index()


def skpd_key(name: str) -> str:
    """Return the comparison key of an SKPD name.

    Case, punctuation, "&" against "dan", extra spaces, a parenthesised
    part and a trailing area name ("Kota Semarang") make no difference;
    a known abbreviation gives the key of the official name.
    """
    key = _strip_region(_words_key(name))
    abbreviation = _KEY_ALIASES.get(key) or _ABBREVIATION_BY_KEY.get(key)
    if abbreviation:
        return _words_key(_ABBREVIATIONS[abbreviation][0])
    return key


def slugify(key: str) -> str:
    """Return an organization name (URL slug) for a comparison key."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-")
    return slug[:ORG_NAME_MAX_LENGTH].rstrip("-")


def _title_case(name: str) -> str:
    words = []
    for index, word in enumerate(name.split()):
        bare = word.strip(",.").lower()
        if index and bare in _SMALL_WORDS:
            words.append(word.lower())
        elif word.isupper() or not word[:1].isalpha():
            words.append(word)
        else:
            words.append(word[:1].upper() + word[1:])
    return " ".join(words)


def _display_title(name: str) -> str:
    text = re.sub(r"\s*&\s*", " dan ", name)
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,.")
    key = _words_key(text)
    stripped = _strip_region(key)
    removed = len(key.split()) - len(stripped.split())
    if removed:
        # The area name is plain words, so as many words go from the end.
        text = " ".join(text.split()[:-removed]).rstrip(",.")
    return _title_case(text)


def _kind(key: str) -> str | None:
    if any(key == word or key.startswith(word) for word in _VERTICAL_WORDS):
        return "vertical"
    for prefix, kind in _KIND_PREFIXES:
        if key.startswith(prefix):
            return kind
    return None


def domains_for_name(name: str) -> tuple[str, ...]:
    """Guess the data domains of an SKPD from its name; () when unknown."""
    text = f" {_words_key(name)} "
    found = [
        code
        for code, words in _DOMAIN_WORDS
        if any(f" {word} " in text for word in words)
    ]
    return tuple(found)


def parse_skpd(name: str | None) -> Skpd | None:
    """Return the normalised SKPD of a name as a source writes it."""
    if not name or not str(name).strip():
        return None
    raw = re.sub(r"\s+", " ", str(name)).strip()
    key = skpd_key(raw)
    if not key:
        return None

    abbreviation = _ABBREVIATION_BY_KEY.get(key)
    if abbreviation:
        official, kind, domains = _ABBREVIATIONS[abbreviation]
        return Skpd(key, official, abbreviation, kind, domains, raw)

    explicit = re.search(r"\(([A-Za-z ]{2,20})\)", raw)
    return Skpd(
        key=key,
        title=_display_title(raw),
        abbreviation=explicit.group(1).strip().upper() if explicit else None,
        kind=_kind(key),
        domains=domains_for_name(key),
        raw=raw,
    )


def names_an_skpd(name: str | None) -> bool:
    """Tell whether a contact point's name is the name of an SKPD."""
    skpd = parse_skpd(name)
    if skpd is None:
        return False
    return bool(skpd.abbreviation and skpd.abbreviation in _ABBREVIATIONS) or bool(
        skpd.kind
    )


# Cadence -------------------------------------------------------------------

_CADENCE_BY_ISO = {
    term.extra["iso"]: term.code for term in vocab.CADENCE if "iso" in term.extra
}
_CADENCE_WORDS = {
    "harian": "daily",
    "setiap hari": "daily",
    "mingguan": "weekly",
    "bulanan": "monthly",
    "setiap bulan": "monthly",
    "triwulanan": "quarterly",
    "triwulan": "quarterly",
    "kuartalan": "quarterly",
    "semesteran": "semiannual",
    "semester": "semiannual",
    "tahunan": "annual",
    "setiap tahun": "annual",
    "dua tahunan": "biennial",
    "tiga tahunan": "triennial",
    "lima tahunan": "quinquennial",
    "tidak tentu": "irregular",
    "tidak menentu": "irregular",
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "annual": "annual",
    "annually": "annual",
    "irregular": "irregular",
}
_EVERY_N = re.compile(r"^(\d+)\s*(hari|minggu|bulan|tahun)\s+sekali$")
_UNIT_LETTER = {"hari": "D", "minggu": "W", "bulan": "M", "tahun": "Y"}
_ISO_DURATION = re.compile(r"^(?:r/)?p(\d+)([dwmy])$")


def _normalise_iso(number: int, letter: str) -> str:
    if letter == "M" and number % 12 == 0:
        return f"P{number // 12}Y"
    if letter == "D" and number == 7:
        return "P1W"
    return f"P{number}{letter}"


def cadence_code(value: Any) -> str | None:
    """Return the cadence code of an ``accrualPeriodicity`` value.

    Accepts ISO 8601 durations with or without the repeat prefix
    (``R/P1M``), Indonesian words (``Tahunan``, ``semesteran``) and the
    "N <unit> Sekali" phrases (``3 Bulan Sekali``). Returns None when the
    value has no cadence in the vocabulary.
    """
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value).strip().lower()
    if text in _CADENCE_WORDS:
        return _CADENCE_WORDS[text]
    match = _EVERY_N.match(text)
    if match:
        iso = _normalise_iso(int(match.group(1)), _UNIT_LETTER[match.group(2)])
        return _CADENCE_BY_ISO.get(iso)
    match = _ISO_DURATION.match(text)
    if match:
        iso = _normalise_iso(int(match.group(1)), match.group(2).upper())
        return _CADENCE_BY_ISO.get(iso)
    if text == "irregular" or text == "r/irreg":
        return "irregular"
    return None


def map_cadence(value: Any) -> tuple[dict[str, str], Any]:
    """Return the collection fields of an ``accrualPeriodicity`` value.

    :returns: the fields to set, and the value when it could not be mapped
        (None otherwise). An empty value maps to no fields and is not
        counted as unmapped.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}, None
    code = cadence_code(value)
    if code is None:
        return {}, value
    method = "ad_hoc" if code == "irregular" else "routine_periodic"
    return {"collection_method": method, "cadence": code}, None


# Access level --------------------------------------------------------------

_ACCESS_LEVELS = {
    term.extra["pod"]: term.code for term in vocab.ACCESS_LEVEL if "pod" in term.extra
}
# Some portals write "private" for what POD calls "non-public".
_ACCESS_LEVELS["private"] = "closed"


def map_access_level(value: Any) -> tuple[str | None, Any]:
    """Return the access level code and the value if it did not map."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    code = _ACCESS_LEVELS.get(str(value).strip().lower())
    return (code, None) if code else (None, value)


# Keywords ------------------------------------------------------------------


def clean_tag(keyword: Any) -> str | None:
    """Return a keyword made into a valid CKAN tag, or None if none is left."""
    if not isinstance(keyword, str | int | float):
        return None
    text = str(keyword).replace("&", " dan ")
    text = _TAG_INVALID.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" .-_")
    if len(text) > TAG_MAX_LENGTH:
        text = text[:TAG_MAX_LENGTH].rsplit(" ", 1)[0].strip(" .-_")
    if len(text) < TAG_MIN_LENGTH:
        return None
    return text


def map_keywords(keywords: Any) -> tuple[list[dict[str, str]], list[Any]]:
    """Return the tags of a keyword list and the keywords that were dropped."""
    if isinstance(keywords, str):
        keywords = [part for part in keywords.split(",")]
    tags: list[dict[str, str]] = []
    seen: set[str] = set()
    dropped: list[Any] = []
    for keyword in keywords or []:
        tag = clean_tag(keyword)
        if tag is None:
            if keyword not in (None, ""):
                dropped.append(keyword)
            continue
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append({"name": tag})
    return tags, dropped


# Description ---------------------------------------------------------------

_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
_DROP_ELEMENTS = re.compile(
    r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL
)

# "1. Konsep = ...", "Definisi : ...", "Satuan persentase : %".
_LABELS = {
    "konsep": "concept",
    "definisi": "definition",
    "satuan": "unit_of_measure",
    "ukuran": "unit_of_measure",
    "produsen data": "producer",
}
_LABEL_LINE = re.compile(
    r"^\s*(?:\d+\s*[.)]\s*)?(konsep|definisi|satuan|ukuran|produsen data)"
    r"(?:\s+\w+)?\s*[:=]\s*(.*)$",
    re.IGNORECASE,
)
_INLINE_UNIT = re.compile(r"(?:^|[.;]\s+)Satuan\s*:\s*([^.\n]+)", re.IGNORECASE)


def html_to_text(value: Any) -> str:
    """Return readable plain text of an HTML or text description.

    Line breaks and paragraphs become new lines, every other tag is
    removed and character references are decoded. The result is safe to
    render as Markdown: it holds no HTML.
    """
    if not isinstance(value, str):
        return ""
    text = _DROP_ELEMENTS.sub(" ", value)
    text = _BLOCK_TAGS.sub("\n", text)
    text = _LIST_ITEM.sub("\n- ", text)
    text = _ANY_TAG.sub("", text)
    # Tags written as character references become tags when decoded.
    text = _ANY_TAG.sub("", html.unescape(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def as_markdown(text: str) -> str:
    """Return plain text with each line as its own Markdown paragraph."""
    return re.sub(r"\n+", "\n\n", text).strip()


def _unit_value(value: str) -> str:
    # "%. Total penanganan sampah dibagi ..." holds the unit and then a
    # sentence on how it is computed; the unit is the part before it.
    first = re.split(r"\.\s+", value, maxsplit=1)[0]
    return first.strip(" .,;")


def parse_standard_fields(text: str) -> dict[str, str]:
    """Read the Satu Data standard fields written in a description.

    :returns: any of ``concept``, ``definition``, ``unit_of_measure`` and
        ``producer`` (the producing SKPD's name as written)
    """
    found: dict[str, str] = {}
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _LABEL_LINE.match(line)
        if not match:
            continue
        field_name = _LABELS[match.group(1).lower()]
        value = match.group(2).strip()
        if not value:
            # "Definisi :" with the text on the following lines.
            following = []
            for next_line in lines[index + 1 :]:
                if not next_line.strip() or _LABEL_LINE.match(next_line):
                    break
                following.append(next_line.strip())
            value = " ".join(following)
        if field_name == "unit_of_measure":
            value = _unit_value(value)
        if value and field_name not in found:
            found[field_name] = value
    if "unit_of_measure" not in found:
        match = _INLINE_UNIT.search(text)
        if match and _unit_value(match.group(1)):
            found["unit_of_measure"] = _unit_value(match.group(1))
    return found


# Other fields --------------------------------------------------------------

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def _date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    text = match.group(0)
    if len(text) == 4:
        return f"{text}-01-01"
    if len(text) == 7:
        return f"{text}-01"
    return text


def map_temporal(value: Any) -> tuple[dict[str, str], Any]:
    """Return temporal_start/end of a POD ``temporal`` (text or object)."""
    if value in (None, "", "-"):
        return {}, None
    if isinstance(value, dict):
        start, end = value.get("startDate"), value.get("endDate")
    elif isinstance(value, str):
        start, _sep, end = value.partition("/")
    else:
        return {}, value
    fields = {}
    for name, part in (("temporal_start", start), ("temporal_end", end)):
        if part in (None, "", "-"):
            continue
        date = _date(part)
        if date is None:
            return {}, value
        fields[name] = date
    return fields, None


def _spatial_name(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name") or value.get("prefLabel")
        return str(name).strip() if name else None
    if isinstance(value, str) and value.strip() and not value.strip().startswith("{"):
        return value.strip()
    return None


def _email(contact: dict[str, Any]) -> str | None:
    value = contact.get("hasEmail") or contact.get("vcard:hasEmail")
    if isinstance(value, dict):
        value = value.get("@id")
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return value[len("mailto:") :] if value.lower().startswith("mailto:") else value


def _contact_name(contact: dict[str, Any]) -> str | None:
    name = contact.get("fn") or contact.get("vcard:fn")
    return str(name).strip() if name else None


def map_distribution(distribution: Any) -> dict[str, Any] | None:
    """Return the resource dict of one POD distribution."""
    if not isinstance(distribution, dict):
        return None
    url = distribution.get("downloadURL") or distribution.get("accessURL") or ""
    resource = {
        "url": str(url).strip(),
        "name": distribution.get("title") or "",
        "format": distribution.get("format") or distribution.get("mediaType") or "",
        "description": html_to_text(distribution.get("description")),
    }
    if distribution.get("mediaType"):
        resource["mimetype"] = distribution["mediaType"]
    return resource


def _publisher_name(record: dict[str, Any]) -> str | None:
    publisher = record.get("publisher")
    if isinstance(publisher, dict):
        name = publisher.get("name") or publisher.get("foaf:name")
    else:
        name = publisher
    return str(name).strip() if isinstance(name, str) and name.strip() else None


def catalogue_publisher(document: Any) -> str | None:
    """Return the publisher named at the level of a whole catalogue."""
    if not isinstance(document, dict):
        return None
    return _publisher_name(document)


# The record --------------------------------------------------------------


def _domains(publisher: Skpd | None, title: str) -> list[str]:
    found = set(publisher.domains if publisher else ())
    if _SPATIAL_TITLE.search(title):
        found.add("spatial")
    return [code for code in vocab.codes("domain") if code in found]


def _map_contact(record: dict[str, Any], result: MappingResult) -> None:
    contact = record.get("contactPoint")
    if not isinstance(contact, dict):
        return
    name = _contact_name(contact)
    email = _email(contact)
    if name:
        result.package["contact_name"] = name
    if email:
        result.package["contact_email"] = email
    if names_an_skpd(name):
        result.custodian = parse_skpd(name)


def _map_description(record: dict[str, Any], result: MappingResult) -> None:
    text = html_to_text(record.get("description"))
    if text:
        result.package["notes"] = as_markdown(text)
    standard = parse_standard_fields(text)
    producer = standard.pop("producer", None)
    result.package.update(standard)
    if producer:
        result.producer = parse_skpd(producer)


def _map_classification(record: dict[str, Any], result: MappingResult) -> None:
    fields, unmapped = map_cadence(record.get("accrualPeriodicity"))
    result.package.update(fields)
    if unmapped is not None:
        result.unmapped.append(("accrualPeriodicity", unmapped))

    code, unmapped = map_access_level(record.get("accessLevel"))
    if code:
        result.package["access_level"] = code
    if unmapped is not None:
        result.unmapped.append(("accessLevel", unmapped))

    fields, unmapped = map_temporal(record.get("temporal"))
    result.package.update(fields)
    if unmapped is not None:
        result.unmapped.append(("temporal", unmapped))

    spatial = _spatial_name(record.get("spatial"))
    if spatial:
        result.package["spatial_coverage"] = spatial


def _extras(record: dict[str, Any]) -> list[dict[str, str]]:
    extras = []
    for key, extra_key in (
        ("identifier", "guid"),
        ("issued", "dcat_issued"),
        ("modified", "dcat_modified"),
    ):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            extras.append({"key": extra_key, "value": value.strip()})
    return extras


def map_record(
    record: dict[str, Any], default_publisher: str | None = None
) -> MappingResult:
    """Map one POD 1.1 dataset record onto the SKPD dataset schema.

    :param record: the record as parsed from ``data.json``
    :param default_publisher: the SKPD name to use when neither the record
        nor its catalogue (``CATALOGUE_PUBLISHER_KEY``) names a publisher
    :returns: the mapping result; ``problems`` is empty when the record
        can be imported
    """
    result = MappingResult(package={})
    if not isinstance(record, dict):
        result.problems.append("The record is not a JSON object.")
        return result

    title = record.get("title")
    title = str(title).strip() if title else ""
    if not title:
        result.problems.append(
            "title: the record has no title. Give every dataset a title."
        )

    result.identifier = str(record.get("identifier") or "").strip() or None
    result.publisher = parse_skpd(
        _publisher_name(record)
        or record.get(CATALOGUE_PUBLISHER_KEY)
        or default_publisher
    )
    if result.publisher is None:
        result.problems.append(
            "publisher: the record names no publisher. Add publisher.name to the "
            'record, or set "default_publisher" in the harvest source '
            "configuration."
        )

    package = result.package
    package["title"] = title
    landing_page = record.get("landingPage")
    if isinstance(landing_page, str) and landing_page.strip():
        package["url"] = landing_page.strip()

    tags, dropped = map_keywords(record.get("keyword"))
    package["tags"] = tags
    if dropped:
        result.unmapped.append(("keyword", dropped))

    resources = [map_distribution(d) for d in record.get("distribution") or []]
    package["resources"] = [r for r in resources if r]

    _map_description(record, result)
    _map_contact(record, result)
    _map_classification(record, result)

    domains = _domains(result.publisher, title)
    if domains:
        package["domains"] = domains
    if result.unmapped:
        package["unmapped_values"] = dict(result.unmapped)
    package["extras"] = _extras(record)
    return result
