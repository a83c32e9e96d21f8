"""The ``skpd_dcat_ap`` RDF profile of ckanext-dcat.

It runs after ``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles =
euro_dcat_ap_3 skpd_dcat_ap``) and adds the SKPD metadata to what that
profile writes, and reads the same properties back into the SKPD schema:

========================  ==================================================
SKPD field                RDF
========================  ==================================================
owner_org                 dct:publisher, an SKPD agent
producer                  dct:creator and geodcatap:originator
custodian, contact_*      dcat:contactPoint (vcard:hasUID names the
                          custodian) and geodcatap:custodian
authority_roles           prov:qualifiedAttribution with ISO 19115 roles,
                          and the GeoDCAT-AP role property of each role
lineage                   dct:source and dcat:qualifiedRelation
cadence                   dct:accrualPeriodicity, EU frequency URIs
access_level              dct:accessRights, EU access-right URIs
exchange_methods,         one dcat:DataService per method, serving the
endpoint_url              dataset
domains                   dcat:theme, SKPD domain concepts
exchange_needs            skpd:exchangeNeed nodes
spatial_coverage,         dct:spatial (skos:prefLabel, locn:geometry as
spatial                   WKT and full-precision GeoJSON)
license_id                dct:license of the dataset and its distributions
other SKPD fields         skpd: properties and SKOS concepts
========================  ==================================================

Catalogue datasets in the lineage that the reader of the graph may not
see are left out, so a private dataset is never named.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    FOAF,
    GEOJSON_IMT,
    LOCN,
    VCARD,
    CleanedURIRef,
)
from ckanext.dcat.utils import catalog_uri, dataset_uri
from ckanext.skpd import vocab
from ckanext.skpd.interop import agents, terms
from ckanext.skpd.interop.terms import GEODCAT, PROV, SKPD

log = logging.getLogger(__name__)

# Fields written as one skpd: property holding a concept of a vocabulary.
CONCEPT_FIELDS: tuple[tuple[str, str, URIRef], ...] = (
    ("collection_method", "collection_method", SKPD.collectionMethod),
    ("collection_technique", "collection_technique", SKPD.collectionTechnique),
)
LIST_CONCEPT_FIELDS: tuple[tuple[str, str, URIRef], ...] = (
    ("availability_forms", "availability_form", SKPD.availabilityForm),
    ("domains", "domain", DCAT.theme),
)
TEXT_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("information_system", SKPD.informationSystem),
    ("concept", SKPD.concept),
    ("definition", SKPD.definition),
    ("unit_of_measure", SKPD.unitOfMeasure),
    ("reference_code", SKPD.referenceCode),
)

# Keys ckanext-dcat's profiles add to a parsed dataset that this profile
# replaces by SKPD fields.
_REPLACED_KEYS = (
    "contact",
    "publisher",
    "creator",
    "qualified_relation",
    "qualified_attribution",
)
_REPLACED_EXTRAS = ("frequency", "access_rights", "source", "spatial_text")
_REPLACED_EXTRA_PREFIXES = ("publisher_", "creator_", "contact_")

AGENTS_KEY = "skpd_agents"
AGENT_CACHE = "_skpd_agent_nodes"


def _viewer() -> str:
    """Return the name of the user the graph is made for ('' if anonymous)."""
    try:
        user = tk.current_user
        if user and not user.is_anonymous:
            return user.name
    except (RuntimeError, AttributeError):
        pass
    return ""


def _as_list(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return value if isinstance(value, list) else [value]


def _literal_text(value: Any) -> str:
    return str(value) if value is not None else ""


class SkpdDCATAPProfile(RDFProfile):
    """Write and read the SKPD metadata in DCAT-AP 3 and GeoDCAT-AP terms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ckanext-dcat makes one profile object per dataset but shares the
        # graph, so the agents already described live on the graph: a
        # catalogue page then reads each organization once, not per dataset.
        if not hasattr(self.g, AGENT_CACHE):
            setattr(self.g, AGENT_CACHE, {})
        self._agent_nodes: dict[str, URIRef | None] = getattr(self.g, AGENT_CACHE)
        self._readable: dict[str, bool] = {}

    # Serialization ---------------------------------------------------------

    def graph_from_dataset(
        self, dataset_dict: dict[str, Any], dataset_ref: URIRef
    ) -> None:
        self._bind()
        self._write_publisher(dataset_dict, dataset_ref)
        self._write_producer_and_contact(dataset_dict, dataset_ref)
        self._write_roles(dataset_dict, dataset_ref)
        self._write_lineage(dataset_dict, dataset_ref)
        self._write_classification(dataset_dict, dataset_ref)
        self._write_exchange_needs(dataset_dict, dataset_ref)
        self._write_services(dataset_dict, dataset_ref)
        self._write_spatial(dataset_dict, dataset_ref)
        self._write_license(dataset_dict, dataset_ref)
        self._type_distribution_urls(dataset_ref)

    def graph_from_catalog(
        self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef
    ) -> None:
        self._bind()
        if (catalog_ref, DCT.description, None) not in self.g:
            text = tk.config.get("ckan.site_description") or tk.config.get(
                "ckan.site_title"
            )
            if text:
                self.g.add((catalog_ref, DCT.description, Literal(text)))
        if (catalog_ref, DCT.publisher, None) not in self.g:
            self.g.add((catalog_ref, DCT.publisher, self._catalogue_publisher()))
        for homepage in self.g.objects(catalog_ref, FOAF.homepage):
            self.g.add((homepage, RDF.type, FOAF.Document))
        self._write_catalogue_languages(catalog_ref)

    def _write_catalogue_languages(self, catalog_ref: URIRef) -> None:
        """Replace the locale codes ckanext-dcat writes by EU language URIs."""
        offered = tk.aslist(tk.config.get("ckan.locales_offered")) or [
            tk.config.get("ckan.locale_default") or "en"
        ]
        for literal in list(self.g.objects(catalog_ref, DCT.language)):
            if isinstance(literal, Literal):
                self.g.remove((catalog_ref, DCT.language, literal))
        for locale in offered:
            language = terms.language_uri(locale)
            if language is None:
                self.g.add((catalog_ref, DCT.language, Literal(locale)))
                continue
            self.g.add((catalog_ref, DCT.language, language))
            self.g.add((language, RDF.type, DCT.LinguisticSystem))

    def _bind(self) -> None:
        for prefix, namespace in (
            ("skpd", SKPD),
            ("geodcatap", GEODCAT),
            ("prov", PROV),
            ("vcard", VCARD),
        ):
            self.g.bind(prefix, namespace)

    def _catalogue_publisher(self) -> URIRef | BNode:
        """Return the city's walidata organization, or an agent for the site."""
        walidata = (
            model.Session.query(model.Group.id)
            .filter(
                model.Group.is_organization == True,  # noqa: E712
                model.Group.state == "active",
                model.Group.extras["satu_data_role"].astext == "walidata",
            )
            .order_by(model.Group.created)
            .first()
        )
        if walidata is not None:
            return self._agent(walidata[0])
        node = BNode()
        self.g.add((node, RDF.type, FOAF.Agent))
        self.g.add(
            (node, FOAF.name, Literal(tk.config.get("ckan.site_title") or "CKAN"))
        )
        return node

    def _concept(self, vocabulary: str, code: str) -> URIRef:
        """Return a concept of an SKPD vocabulary, described with its labels."""
        uri = terms.concept_uri(vocabulary, code)
        scheme = terms.scheme_uri(vocabulary)
        term = vocab.get_term(vocabulary, code)
        self.g.add((uri, RDF.type, SKOS.Concept))
        self.g.add((uri, SKOS.inScheme, scheme))
        self.g.add((uri, SKOS.notation, Literal(code)))
        if term is not None:
            self.g.add((uri, SKOS.prefLabel, Literal(term.id, lang="id")))
            self.g.add((uri, SKOS.prefLabel, Literal(term.en, lang="en")))
        self.g.add((scheme, RDF.type, SKOS.ConceptScheme))
        self.g.add((scheme, DCT.title, Literal(vocabulary.replace("_", " "))))
        return uri

    def _agent(self, org_id: str) -> URIRef | None:
        """Return the node of an SKPD organization, described once per graph."""
        if not org_id:
            return None
        if org_id in self._agent_nodes:
            return self._agent_nodes[org_id]
        group = model.Group.get(org_id)
        if group is None or not group.is_organization:
            self._agent_nodes[org_id] = None
            return None

        node = URIRef(agents.organization_uri(group.id))
        self.g.add((node, RDF.type, FOAF.Agent))
        self.g.add((node, RDF.type, FOAF.Organization))
        self.g.set((node, FOAF.name, Literal(group.title or group.name)))
        self._describe_organization(node, group.extras or {})

        self._agent_nodes[org_id] = node
        return node

    def _describe_organization(self, node: URIRef, extras: dict[str, str]) -> None:
        """Add the type, abbreviation, code, kind and Satu Data role of an SKPD."""
        g = self.g
        kind = extras.get("kind")
        publisher_type = "NationalAuthority" if kind == "vertical" else "LocalAuthority"
        type_ref = terms.ADMS_PUBLISHER_TYPE[publisher_type]
        g.set((node, DCT.type, type_ref))
        g.add((type_ref, RDF.type, SKOS.Concept))
        label = Literal(terms.PUBLISHER_TYPES[publisher_type], lang="en")
        g.set((type_ref, SKOS.prefLabel, label))

        if extras.get("abbreviation"):
            g.set((node, SKOS.altLabel, Literal(extras["abbreviation"])))
        if extras.get("skpd_code"):
            g.set((node, DCT.identifier, Literal(extras["skpd_code"])))
        if kind in vocab.codes("skpd_kind"):
            g.set((node, SKPD.unitKind, self._concept("skpd_kind", kind)))
        role = extras.get("satu_data_role")
        if role in vocab.codes("satu_data_role"):
            g.set((node, SKPD.satuDataRole, self._concept("satu_data_role", role)))

    def _write_publisher(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        owner = dataset_dict.get("owner_org")
        node = self._agent(owner) if owner else None
        if node is None:
            return
        self.g.remove((ref, DCT.publisher, None))
        self.g.add((ref, DCT.publisher, node))

    def _write_producer_and_contact(
        self, dataset_dict: dict[str, Any], ref: URIRef
    ) -> None:
        producer = self._agent(dataset_dict.get("producer") or "")
        if producer is not None:
            self.g.add((ref, DCT.creator, producer))
            self.g.add((ref, GEODCAT.originator, producer))

        # ckanext-dcat wrote a contact point from contact_name and
        # contact_email; this one also names the custodian.
        for contact in list(self.g.objects(ref, DCAT.contactPoint)):
            self.g.remove((ref, DCAT.contactPoint, contact))
            if isinstance(contact, BNode):
                self.g.remove((contact, None, None))

        custodian = self._agent(dataset_dict.get("custodian") or "")
        name = dataset_dict.get("contact_name")
        email = dataset_dict.get("contact_email")
        if custodian is None and not (name or email):
            return

        contact = BNode()
        self.g.add((ref, DCAT.contactPoint, contact))
        self.g.add((contact, RDF.type, VCARD.Organization))
        self.g.add((contact, RDF.type, VCARD.Kind))
        if custodian is not None:
            self.g.add((ref, GEODCAT.custodian, custodian))
            title = self.g.value(custodian, FOAF.name)
            self.g.add((contact, VCARD.hasUID, custodian))
            self.g.add((contact, VCARD["organization-name"], Literal(title)))
            name = name or title
        if name:
            self.g.add((contact, VCARD.fn, Literal(name)))
        if email:
            self.g.add((contact, VCARD.hasEmail, URIRef(self._add_mailto(email))))

    def _write_roles(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        for entry in _as_list(dataset_dict.get("authority_roles")):
            if not isinstance(entry, dict):
                continue
            holder = self._agent(entry.get("holder") or "")
            role = entry.get("role")
            if holder is None or role not in terms.ROLE_CODES:
                continue
            attribution = BNode()
            role_ref = terms.role_uri(role)
            self.g.add((ref, PROV.qualifiedAttribution, attribution))
            self.g.add((attribution, RDF.type, PROV.Attribution))
            self.g.add((attribution, PROV.agent, holder))
            self.g.add((attribution, DCAT.hadRole, role_ref))
            self.g.add((role_ref, RDF.type, DCAT.Role))
            direct = terms.geodcat_role_property(role)
            if direct is not None:
                self.g.add((ref, direct, holder))

    def _upstream_uri(self, upstream: str) -> URIRef | None:
        """Return the URI of an upstream, or None when the reader may not see it."""
        if upstream.startswith(("http://", "https://")):
            return CleanedURIRef(upstream)
        package = model.Package.get(upstream)
        if package is None or package.state != "active":
            return None
        if package.private and not self._can_read(package.id):
            return None
        extras = dict(package.extras or {})
        return URIRef(
            dataset_uri(
                {
                    "id": package.id,
                    "extras": [{"key": k, "value": v} for k, v in extras.items()],
                }
            )
        )

    def _can_read(self, package_id: str) -> bool:
        if package_id not in self._readable:
            try:
                tk.check_access("package_show", {"user": _viewer()}, {"id": package_id})
                self._readable[package_id] = True
            except tk.NotAuthorized:
                self._readable[package_id] = False
        return self._readable[package_id]

    def _write_lineage(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        for entry in _as_list(dataset_dict.get("lineage")):
            if not isinstance(entry, dict) or not entry.get("upstream"):
                continue
            upstream = self._upstream_uri(str(entry["upstream"]))
            if upstream is None:
                continue
            self.g.add((ref, DCT.source, upstream))
            relation = BNode()
            self.g.add((ref, DCAT.qualifiedRelation, relation))
            self.g.add((relation, RDF.type, DCAT.Relationship))
            self.g.add((relation, DCT.relation, upstream))
            self.g.add((upstream, RDF.type, RDFS.Resource))
            code = entry.get("relation")
            if code in vocab.codes("relation_type"):
                role = self._concept("relation_type", code)
                self.g.add((role, RDF.type, DCAT.Role))
                self.g.add((relation, DCAT.hadRole, role))
            if entry.get("note"):
                self.g.add((relation, DCT.description, Literal(entry["note"])))

    def _write_classification(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        g = self.g
        for field_name, vocabulary, predicate in CONCEPT_FIELDS:
            code = dataset_dict.get(field_name)
            if code in vocab.codes(vocabulary):
                g.add((ref, predicate, self._concept(vocabulary, code)))
        for field_name, vocabulary, predicate in LIST_CONCEPT_FIELDS:
            for code in _as_list(dataset_dict.get(field_name)):
                if code in vocab.codes(vocabulary):
                    g.add((ref, predicate, self._concept(vocabulary, code)))
        for field_name, predicate in TEXT_FIELDS:
            if dataset_dict.get(field_name):
                g.add((ref, predicate, Literal(dataset_dict[field_name])))

        frequency = terms.frequency_uri(dataset_dict.get("cadence") or "")
        if frequency is not None:
            g.add((ref, DCT.accrualPeriodicity, frequency))
            g.add((frequency, RDF.type, DCT.Frequency))
        rights = terms.ACCESS_RIGHTS.get(dataset_dict.get("access_level") or "")
        if rights is not None:
            g.remove((ref, DCT.accessRights, None))
            g.add((ref, DCT.accessRights, rights))
            g.add((rights, RDF.type, DCT.RightsStatement))
        unmapped = dataset_dict.get("unmapped_values")
        if unmapped:
            text = (
                unmapped
                if isinstance(unmapped, str)
                else json.dumps(unmapped, ensure_ascii=False, sort_keys=True)
            )
            g.add((ref, SKPD.unmappedValues, Literal(text, datatype=RDF.JSON)))

    def _write_exchange_needs(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        for entry in _as_list(dataset_dict.get("exchange_needs")):
            if not isinstance(entry, dict):
                continue
            consumer = self._agent(entry.get("consumer") or "")
            if consumer is None:
                continue
            need = BNode()
            self.g.add((ref, SKPD.exchangeNeed, need))
            self.g.add((need, RDF.type, SKPD.ExchangeNeed))
            self.g.add((need, SKPD.consumer, consumer))
            if entry.get("purpose"):
                self.g.add((need, SKPD.purpose, Literal(entry["purpose"])))
            frequency = terms.frequency_uri(entry.get("frequency") or "")
            if frequency is not None:
                self.g.add((need, DCT.accrualPeriodicity, frequency))
            if entry.get("method") in vocab.codes("exchange_method"):
                method = self._concept("exchange_method", entry["method"])
                self.g.add((need, SKPD.exchangeMethod, method))
            if entry.get("status") in vocab.codes("exchange_status"):
                status = self._concept("exchange_status", entry["status"])
                self.g.add((need, SKPD.exchangeStatus, status))

    def _dataset_page(self, dataset_dict: dict[str, Any]) -> URIRef:
        return URIRef(
            "{}/dataset/{}".format(catalog_uri().rstrip("/"), dataset_dict["id"])
        )

    def _write_services(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        """Write one dcat:DataService per exchange method.

        DCAT-AP requires an endpoint URL. A dataset without ``endpoint_url``
        gets its catalogue page as endpoint, and the same page as the
        service's landing page, so a reader can tell it is not a real
        endpoint.
        """
        endpoint = dataset_dict.get("endpoint_url")
        catalog_ref = URIRef(catalog_uri())
        in_catalog = (catalog_ref, RDF.type, DCAT.Catalog) in self.g
        for code in _as_list(dataset_dict.get("exchange_methods")):
            term = vocab.get_term("exchange_method", code)
            if term is None:
                continue
            service = URIRef(f"{ref}#service-{code}")
            self.g.add((service, RDF.type, DCAT.DataService))
            self.g.add((service, DCT.title, Literal(term.id, lang="id")))
            self.g.add((service, DCT.title, Literal(term.en, lang="en")))
            self.g.add((service, DCT.type, self._concept("exchange_method", code)))
            self.g.add((service, DCAT.servesDataset, ref))
            if endpoint:
                endpoint_ref = CleanedURIRef(endpoint)
            else:
                endpoint_ref = self._dataset_page(dataset_dict)
                self.g.add((service, DCAT.landingPage, endpoint_ref))
                self.g.add((endpoint_ref, RDF.type, FOAF.Document))
            self.g.add((service, DCAT.endpointURL, endpoint_ref))
            self.g.add((endpoint_ref, RDF.type, RDFS.Resource))
            if in_catalog:
                self.g.add((catalog_ref, DCAT.service, service))

    def _write_spatial(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        text = dataset_dict.get("spatial_coverage")
        geometry = dataset_dict.get("spatial")
        if not (text or geometry):
            return
        spatial_ref = self._get_or_create_spatial_ref(dataset_dict, ref)
        if text:
            self.g.add((spatial_ref, SKOS.prefLabel, Literal(text)))
        if geometry:
            value = geometry if isinstance(geometry, str) else json.dumps(geometry)
            # ckanext-dcat 2.4.4 writes the geometry as WKT rounded to four
            # decimals. DCAT-AP allows one geometry, so a GeoJSON literal with
            # the stored precision replaces it.
            self.g.remove((spatial_ref, LOCN.geometry, None))
            self.g.add(
                (spatial_ref, LOCN.geometry, Literal(value, datatype=GEOJSON_IMT))
            )

    def _type_distribution_urls(self, ref: URIRef) -> None:
        """Type the access and download URLs as DCAT-AP expects."""
        for distribution in self.g.objects(ref, DCAT.distribution):
            for predicate in (DCAT.accessURL, DCAT.downloadURL):
                for url in self.g.objects(distribution, predicate):
                    self.g.add((url, RDF.type, RDFS.Resource))

    def _write_license(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        url = dataset_dict.get("license_url")
        if not url or not str(url).startswith(("http://", "https://")):
            return
        license_ref = CleanedURIRef(url)
        self.g.add((license_ref, RDF.type, DCT.LicenseDocument))
        if dataset_dict.get("license_title"):
            self.g.set((license_ref, DCT.title, Literal(dataset_dict["license_title"])))
        self.g.add((ref, DCT.license, license_ref))
        for distribution in self.g.objects(ref, DCAT.distribution):
            if (distribution, DCT.license, None) not in self.g:
                self.g.add((distribution, DCT.license, license_ref))

    # Parsing -----------------------------------------------------------------

    def parse_dataset(
        self, dataset_dict: dict[str, Any], dataset_ref: URIRef
    ) -> dict[str, Any]:
        dataset_dict.setdefault("extras", [])
        unmapped = self._parse_unmapped(dataset_ref)
        found: dict[str, agents.AgentDescription] = {}

        self._parse_agents(dataset_dict, dataset_ref, found)
        self._parse_lineage(dataset_dict, dataset_ref)
        self._parse_classification(dataset_dict, dataset_ref, unmapped)
        self._parse_exchange_needs(dataset_dict, dataset_ref, found)
        self._parse_services(dataset_dict, dataset_ref)
        self._parse_spatial_and_license(dataset_dict, dataset_ref)

        if unmapped:
            dataset_dict["unmapped_values"] = unmapped
        descriptions = {uri: agent.as_dict() for uri, agent in found.items()}
        if descriptions:
            dataset_dict[AGENTS_KEY] = descriptions
        for key in _REPLACED_KEYS:
            dataset_dict.pop(key, None)
        dataset_dict["extras"] = [
            e for e in dataset_dict["extras"] if not _replaced_extra(e)
        ]
        return dataset_dict

    def _parse_unmapped(self, ref: URIRef) -> dict[str, Any]:
        value = self.g.value(ref, SKPD.unmappedValues)
        if value is None:
            return {}
        try:
            parsed = json.loads(str(value))
        except ValueError:
            return {"skpd:unmappedValues": str(value)}
        return parsed if isinstance(parsed, dict) else {}

    def _describe_agent(self, node: Any) -> agents.AgentDescription:
        g = self.g
        kind = terms.concept_code("skpd_kind", g.value(node, SKPD.unitKind))
        role = terms.concept_code("satu_data_role", g.value(node, SKPD.satuDataRole))
        return agents.AgentDescription(
            uri=str(node),
            title=_literal_text(g.value(node, FOAF.name)),
            abbreviation=_literal_text(g.value(node, SKOS.altLabel)),
            skpd_code=_literal_text(g.value(node, DCT.identifier)),
            kind=kind or "",
            satu_data_role=role or "",
        )

    def _agent_ref(self, node: Any, found: dict[str, agents.AgentDescription]) -> str:
        """Return the local organization id of an agent, or its URI.

        An agent no local organization matches is recorded in ``found``;
        the harvest creates its organization before the dataset is saved.
        """
        agent = self._describe_agent(node)
        local = agents.find_local_organization(agent)
        if local:
            return local
        found[agent.uri] = agent
        return agent.uri

    def _parse_agents(
        self,
        dataset_dict: dict[str, Any],
        ref: URIRef,
        found: dict[str, agents.AgentDescription],
    ) -> None:
        g = self.g
        publisher = g.value(ref, DCT.publisher)
        if publisher is not None and isinstance(publisher, URIRef):
            dataset_dict["owner_org"] = self._agent_ref(publisher, found)
        creator = g.value(ref, DCT.creator)
        if isinstance(creator, URIRef):
            dataset_dict["producer"] = self._agent_ref(creator, found)

        contact = g.value(ref, DCAT.contactPoint)
        if contact is not None:
            custodian = g.value(contact, VCARD.hasUID)
            organization_name = _literal_text(
                g.value(contact, VCARD["organization-name"])
            )
            name = _literal_text(g.value(contact, VCARD.fn))
            if isinstance(custodian, URIRef) and (custodian, FOAF.name, None) in g:
                dataset_dict["custodian"] = self._agent_ref(custodian, found)
            dataset_dict["contact_name"] = "" if name == organization_name else name
            email = g.value(contact, VCARD.hasEmail)
            dataset_dict["contact_email"] = self._without_mailto(_literal_text(email))

        roles = []
        for attribution in g.objects(ref, PROV.qualifiedAttribution):
            role = terms.role_from_uri(g.value(attribution, DCAT.hadRole))
            holder = g.value(attribution, PROV.agent)
            if role and isinstance(holder, URIRef):
                roles.append({"role": role, "holder": self._agent_ref(holder, found)})
        if roles:
            order = list(terms.ROLE_CODES)
            roles.sort(key=lambda r: (order.index(r["role"]), r["holder"]))
            dataset_dict["authority_roles"] = roles

    def _parse_lineage(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        entries: list[dict[str, str]] = []
        described: set[str] = set()
        for relation in self.g.objects(ref, DCAT.qualifiedRelation):
            upstream = self.g.value(relation, DCT.relation)
            code = terms.concept_code(
                "relation_type", self.g.value(relation, DCAT.hadRole)
            )
            if upstream is None or code is None:
                continue
            described.add(str(upstream))
            entry = {"upstream": local_dataset_ref(str(upstream)), "relation": code}
            note = self.g.value(relation, DCT.description)
            if note is not None:
                entry["note"] = str(note)
            entries.append(entry)
        # A bare dct:source is, by its DCAT-AP definition, a dataset this one
        # is derived from.
        for source in self.g.objects(ref, DCT.source):
            if str(source) not in described and isinstance(source, URIRef):
                entries.append(
                    {
                        "upstream": local_dataset_ref(str(source)),
                        "relation": "derived_from",
                    }
                )
        if entries:
            dataset_dict["lineage"] = entries

    def _concepts(self, ref: Any, predicate: URIRef, vocabulary: str) -> list[str]:
        codes = {
            terms.concept_code(vocabulary, o) for o in self.g.objects(ref, predicate)
        }
        return [code for code in vocab.codes(vocabulary) if code in codes]

    def _parse_classification(
        self, dataset_dict: dict[str, Any], ref: URIRef, unmapped: dict[str, Any]
    ) -> None:
        for field_name, vocabulary, predicate in CONCEPT_FIELDS:
            codes = self._concepts(ref, predicate, vocabulary)
            if codes:
                dataset_dict[field_name] = codes[0]
        for field_name, vocabulary, predicate in LIST_CONCEPT_FIELDS:
            codes = self._concepts(ref, predicate, vocabulary)
            if codes:
                dataset_dict[field_name] = codes
        _drop_theme_extra(dataset_dict)
        for field_name, predicate in TEXT_FIELDS:
            value = self.g.value(ref, predicate)
            if value is not None:
                dataset_dict[field_name] = str(value)

        frequency = self.g.value(ref, DCT.accrualPeriodicity)
        if frequency is not None:
            cadence = terms.cadence_from_frequency(frequency)
            if cadence:
                dataset_dict["cadence"] = cadence
            else:
                unmapped.setdefault("accrualPeriodicity", str(frequency))
        rights = self.g.value(ref, DCT.accessRights)
        if rights is not None:
            level = terms.access_level_from_rights(rights)
            if level:
                dataset_dict["access_level"] = level
            else:
                label = self.g.value(rights, RDFS.label)
                unmapped.setdefault("accessRights", str(label or rights))

    def _parse_exchange_needs(
        self,
        dataset_dict: dict[str, Any],
        ref: URIRef,
        found: dict[str, agents.AgentDescription],
    ) -> None:
        needs = []
        for node in self.g.objects(ref, SKPD.exchangeNeed):
            consumer = self.g.value(node, SKPD.consumer)
            status = terms.concept_code(
                "exchange_status", self.g.value(node, SKPD.exchangeStatus)
            )
            if not isinstance(consumer, URIRef) or status is None:
                continue
            need = {"consumer": self._agent_ref(consumer, found), "status": status}
            purpose = self.g.value(node, SKPD.purpose)
            if purpose is not None:
                need["purpose"] = str(purpose)
            frequency = self.g.value(node, DCT.accrualPeriodicity)
            cadence = terms.cadence_from_frequency(frequency) if frequency else None
            if cadence:
                need["frequency"] = cadence
            method = terms.concept_code(
                "exchange_method", self.g.value(node, SKPD.exchangeMethod)
            )
            if method:
                need["method"] = method
            needs.append(need)
        if needs:
            dataset_dict["exchange_needs"] = needs

    def _parse_services(self, dataset_dict: dict[str, Any], ref: URIRef) -> None:
        methods: set[str] = set()
        endpoints: list[str] = []
        for service in self.g.subjects(DCAT.servesDataset, ref):
            code = terms.concept_code(
                "exchange_method", self.g.value(service, DCT.type)
            )
            if code is None:
                continue
            methods.add(code)
            pages = {str(p) for p in self.g.objects(service, DCAT.landingPage)}
            for endpoint in self.g.objects(service, DCAT.endpointURL):
                if str(endpoint) not in pages and str(endpoint) not in endpoints:
                    endpoints.append(str(endpoint))
        if methods:
            dataset_dict["exchange_methods"] = [
                code for code in vocab.codes("exchange_method") if code in methods
            ]
        if endpoints:
            dataset_dict["endpoint_url"] = endpoints[0]

    def _parse_spatial_and_license(
        self, dataset_dict: dict[str, Any], ref: URIRef
    ) -> None:
        for extra in dataset_dict.get("extras", []):
            if extra["key"] == "spatial_text" and extra["value"]:
                dataset_dict["spatial_coverage"] = extra["value"]
        if not dataset_dict.get("license_id"):
            license_ref = self.g.value(ref, DCT.license)
            found = license_id_for(str(license_ref)) if license_ref else ""
            if found:
                dataset_dict["license_id"] = found
            else:
                dataset_dict.pop("license_id", None)


def _replaced_extra(extra: dict[str, Any]) -> bool:
    key = extra.get("key", "")
    if key in _REPLACED_EXTRAS or key.startswith(_REPLACED_EXTRA_PREFIXES):
        return True
    return key == "homepage" and extra.get("value") == tk.config.get("ckan.site_url")


def _drop_theme_extra(dataset_dict: dict[str, Any]) -> None:
    """Remove the SKPD domain concepts from the ``theme`` extra."""
    for extra in dataset_dict.get("extras", []):
        if extra["key"] != "theme":
            continue
        themes = [
            t
            for t in _as_list(extra["value"])
            if terms.concept_code("domain", t) is None
        ]
        extra["value"] = json.dumps(themes) if themes else ""
    dataset_dict["extras"] = [
        e for e in dataset_dict.get("extras", []) if e["key"] != "theme" or e["value"]
    ]


def local_dataset_ref(uri: str) -> str:
    """Return the id of this site's dataset a URI names, or the URI itself.

    A URI names a local dataset when it is this catalogue's dataset URI, or
    the ``uri`` extra of a dataset (as a DCAT harvest stores it).
    """
    prefix = "{}/dataset/".format(catalog_uri().rstrip("/"))
    if uri.startswith(prefix):
        package = model.Package.get(uri[len(prefix) :])
        if package is not None and package.state == "active":
            return package.id
    row = (
        model.Session.query(model.Package.id)
        .filter(
            model.Package.extras["uri"].astext == uri,
            model.Package.state == "active",
        )
        .first()
    )
    return row[0] if row else uri


def license_id_for(url: str) -> str:
    """Return the id of the licence of this site's register with that URL."""
    from ckan.model.license import LicenseRegister

    for license_id, license in LicenseRegister().items():
        if license.url == url:
            return license_id
    return ""
