"""RDF terms and code mappings of the SKPD metadata.

Controlled values travel as SKOS concepts with stable URIs under
``https://w3id.org/skpd/vocab/<vocabulary>/<code>``, so two sites running
this extension read each other's codes back exactly. Where a European
vocabulary exists it is used instead: EU frequencies for cadences, EU
access rights for access levels, and the ISO 19115 responsible-party roles
(as published in the INSPIRE registry) for authority roles.

NOTE: the w3id.org namespace below is not registered, so its URIs are
identifiers only; they do not dereference.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from ckanext.skpd import vocab

SKPD = Namespace("https://w3id.org/skpd/ns#")
VOCAB_BASE = "https://w3id.org/skpd/vocab/"

GEODCAT = Namespace("http://data.europa.eu/930/")
PROV = Namespace("http://www.w3.org/ns/prov#")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS_RIGHT = Namespace(
    "http://publications.europa.eu/resource/authority/access-right/"
)
ISO_ROLE = Namespace(
    "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/"
)
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")

EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")

# ADMS publisher types of SKPD agents, with their English labels.
PUBLISHER_TYPES = {
    "LocalAuthority": "Local Authority",
    "NationalAuthority": "National authority",
}

# The site's locales as EU language codes.
LANGUAGES = {"id": "IND", "en": "ENG"}

# Access levels of the public-information law as EU access rights.
ACCESS_RIGHTS: dict[str, URIRef] = {
    "open": EU_ACCESS_RIGHT.PUBLIC,
    "limited": EU_ACCESS_RIGHT.RESTRICTED,
    "closed": EU_ACCESS_RIGHT.NON_PUBLIC,
}

# Authority roles as ISO 19115 CI_RoleCode values, with the GeoDCAT-AP
# property that states the same role directly, where GeoDCAT-AP has one
# (it maps "owner" to dct:rightsHolder, which is not in its namespace).
ROLE_CODES: dict[str, str] = {
    "collector": "principalInvestigator",
    "processor": "processor",
    "provider": "resourceProvider",
    "user": "user",
    "owner": "owner",
    "custodian": "custodian",
}
ORIGINATOR = "originator"

# Project Open Data accrualPeriodicity of a cadence without a duration.
POD_IRREGULAR = "irregular"


def concept_uri(vocabulary: str, code: str) -> URIRef:
    """Return the URI of a code of one of the SKPD vocabularies."""
    return URIRef(f"{VOCAB_BASE}{vocabulary}/{code}")


def scheme_uri(vocabulary: str) -> URIRef:
    return URIRef(f"{VOCAB_BASE}{vocabulary}")


def concept_code(vocabulary: str, uri: object) -> str | None:
    """Return the code a concept URI stands for, or None if it is not one."""
    prefix = f"{VOCAB_BASE}{vocabulary}/"
    text = str(uri)
    if not text.startswith(prefix):
        return None
    code = text[len(prefix) :]
    return code if code in vocab.codes(vocabulary) else None


def frequency_uri(cadence: str) -> URIRef | None:
    term = vocab.get_term("cadence", cadence)
    if term is None or "eu" not in term.extra:
        return None
    return EU_FREQUENCY[term.extra["eu"]]


def cadence_from_frequency(uri: object) -> str | None:
    """Return the cadence code of an EU frequency URI, if it has one."""
    text = str(uri)
    for term in vocab.CADENCE:
        if "eu" in term.extra and text == str(EU_FREQUENCY[term.extra["eu"]]):
            return term.code
    return None


def access_level_from_rights(uri: object) -> str | None:
    text = str(uri)
    for code, rights in ACCESS_RIGHTS.items():
        if text == str(rights):
            return code
    return None


def role_uri(role: str) -> URIRef:
    return ISO_ROLE[ROLE_CODES.get(role, role)]


def role_from_uri(uri: object) -> str | None:
    """Return the authority role of an ISO 19115 role URI, if it is one."""
    text = str(uri)
    for role, iso in ROLE_CODES.items():
        if text == str(ISO_ROLE[iso]):
            return role
    return None


def geodcat_role_property(role: str) -> URIRef | None:
    """Return the GeoDCAT-AP property that states a role directly."""
    iso = ROLE_CODES.get(role, role)
    if iso == "owner":
        return URIRef("http://purl.org/dc/terms/rightsHolder")
    return GEODCAT[iso]


def pod_periodicity(cadence: str | None) -> str | None:
    """Return a cadence as a POD 1.1 accrualPeriodicity (``R/P1Y``)."""
    if not cadence:
        return None
    term = vocab.get_term("cadence", cadence)
    if term is None:
        return None
    if "iso" in term.extra:
        return "R/" + term.extra["iso"]
    return POD_IRREGULAR


def language_uri(locale: str) -> URIRef | None:
    """Return the EU language URI of a CKAN locale such as ``id`` or ``en_GB``."""
    code = LANGUAGES.get(locale.split("_")[0].lower())
    return EU_LANGUAGE[code] if code else None
