"""Harvester for SKPD data.json catalogues (Project Open Data 1.1).

It reuses the gather stage of ckanext-dcat's JSON harvester (one harvest
object per record, keyed on ``identifier``, with new/change/delete
statuses) and replaces the import stage:

- records are mapped with :mod:`ckanext.skpd.mapping.datajson`;
- the publishing, producing and custodian SKPD are matched to existing
  organizations, or created once;
- datasets are created and updated through ``package_create`` and
  ``package_update`` with the scheming schema of the site, so every
  validator of the SKPD schema runs;
- a record that fails leaves nothing behind and becomes a harvest object
  error that names each field and what to fix.

Source configuration (a JSON object, all keys optional):

``default_publisher``
    The SKPD name to use for records that name no publisher, when the
    catalogue itself names none either.
``publisher_aliases``
    An object mapping a publisher name as the source writes it to the name
    of a local organization.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from hashlib import sha1
from typing import Any, Iterator

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.dcat.harvesters._json import DCATJSONHarvester, copy_across_resource_ids
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.skpd.mapping import datajson

log = logging.getLogger(__name__)

CONFIG_KEYS = ("default_publisher", "publisher_aliases")

# Harvest object extras written by the import stage; the load report of
# ``ckan skpd load-demo`` reads them.
EXTRA_UNMAPPED = "skpd_unmapped"
EXTRA_CREATED_ORGS = "skpd_created_organizations"

# Fields that people or other tools fill in locally; a re-harvest keeps them.
LOCAL_FIELDS = (
    "collection_technique",
    "availability_forms",
    "information_system",
    "lineage",
    "exchange_needs",
    "authority_roles",
    "exchange_methods",
    "endpoint_url",
    "reference_code",
    "spatial",
    "license_id",
)


class ImportProblem(Exception):
    """A record that cannot be imported, with a message for the source owner."""


class SkpdDataJsonHarvester(DCATJSONHarvester):
    """Harvest POD 1.1 ``data.json`` catalogues into SKPD organizations."""

    def info(self) -> dict[str, str]:
        return {
            "name": "skpd_datajson",
            "title": "SKPD data.json (Project Open Data 1.1)",
            "description": (
                "Harvests a data.json catalogue of a regional government into "
                "the SKPD schema: publishers become SKPD organizations, and "
                "cadence, access level and the Satu Data standard fields are "
                "mapped."
            ),
            "form_config_interface": "Text",
        }

    # Configuration

    def validate_config(self, config: str | None) -> str | None:
        """Check the source configuration and return it unchanged.

        :raises ValueError: naming the option and what is expected
        """
        if not config or not config.strip():
            return config
        try:
            options = json.loads(config)
        except ValueError as err:
            raise ValueError(f"the configuration is not valid JSON ({err})") from err
        if not isinstance(options, dict):
            raise ValueError("the configuration must be a JSON object")

        unknown = sorted(set(options) - set(CONFIG_KEYS))
        if unknown:
            raise ValueError(
                "unknown option(s) {}; the options are {}".format(
                    ", ".join(unknown), ", ".join(CONFIG_KEYS)
                )
            )
        default = options.get("default_publisher")
        if default is not None and (not isinstance(default, str) or not default.strip()):
            raise ValueError(
                "default_publisher must be a non-empty string, the name of an SKPD"
            )
        aliases = options.get("publisher_aliases")
        if aliases is not None:
            if not isinstance(aliases, dict):
                raise ValueError(
                    "publisher_aliases must be an object mapping a publisher "
                    "name to a local organization name"
                )
            bad = [k for k, v in aliases.items() if not isinstance(v, str) or not v]
            if bad:
                raise ValueError(
                    "publisher_aliases: the value for {} must be the name of a "
                    "local organization".format(", ".join(repr(k) for k in bad))
                )
        return config

    def _source_config(self, harvest_object: HarvestObject) -> dict[str, Any]:
        try:
            options = json.loads(harvest_object.source.config or "{}")
        except ValueError:
            return {}
        return options if isinstance(options, dict) else {}

    # Gather

    def _get_guids_and_datasets(self, content: str) -> Iterator[tuple[str, str]]:
        """Yield ``(guid, record JSON)`` for every record of the catalogue.

        A catalogue-level publisher is copied into the records that name
        none. Records without an identifier get the SHA-1 of their JSON
        text as guid. Catalogues do repeat an identifier on different
        records; a repeat gets the identifier plus a hash of its title, so
        each record stays one dataset across runs.
        """
        document = json.loads(content)
        if isinstance(document, list):
            records, publisher = document, None
        elif isinstance(document, dict):
            records = document.get("dataset", [])
            publisher = datajson.catalogue_publisher(document)
        else:
            raise ValueError("Wrong JSON object: expected a catalogue or a list")

        seen: set[str] = set()
        for record in records:
            if publisher and isinstance(record, dict) and not record.get("publisher"):
                record[datajson.CATALOGUE_PUBLISHER_KEY] = publisher
            as_string = json.dumps(record, ensure_ascii=False)
            guid = record.get("identifier") if isinstance(record, dict) else None
            if not guid:
                guid = _sha1(as_string)
            elif str(guid) in seen:
                title = str(record.get("title") or as_string)
                log.warning("Identifier %s repeats; record %r gets its own", guid, title)
                guid = "{}#{}".format(guid, _sha1(title)[:12])
            seen.add(str(guid))
            yield str(guid), as_string

    # Import

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        if not harvest_object:
            log.error("No harvest object received")
            return False

        if harvest_object.import_finished is not None:
            return self._delivered_again(harvest_object)

        status = self._get_object_extra(harvest_object, "status")
        if status == "delete":
            return self._delete(harvest_object)
        if harvest_object.content is None:
            self._save_object_error(
                f"Empty content for object {harvest_object.id}",
                harvest_object,
                "Import",
            )
            return False

        created: list[str] = []
        try:
            return self._import(harvest_object, status, created)
        except tk.ValidationError as err:
            message = validation_message(harvest_object, err.error_dict)
        except ImportProblem as err:
            message = str(err)
        except Exception as err:  # noqa: BLE001 - reported on the object
            log.exception("Importing harvest object %s failed", harvest_object.id)
            message = "Unexpected error importing the record: {!r}\n{}".format(
                err, traceback.format_exc()
            )

        self._undo(created)
        self._save_object_error(message, harvest_object, "Import")
        return False

    def _delivered_again(self, harvest_object: HarvestObject) -> bool | str:
        """Repeat the outcome of an object that was already imported.

        ``harvest_jobs_run`` of ckanext-harvest 1.6.3 (run by ``ckan
        harvester run``) puts every WAITING object that is not in the Redis
        list back on the fetch queue, including objects whose job is still
        gathering, so an object can arrive twice. Importing it again would
        create a second dataset.
        """
        log.info("Harvest object %s was already imported; skipped", harvest_object.id)
        if harvest_object.report_status == "errored":
            return False
        if harvest_object.report_status == "not modified":
            return "unchanged"
        return True

    def _delete(self, harvest_object: HarvestObject) -> bool:
        context = {"user": self._get_user_name(), "ignore_auth": True}
        try:
            tk.get_action("package_delete")(context, {"id": harvest_object.package_id})
        except tk.ObjectNotFound:
            log.info("Dataset %s was already gone", harvest_object.package_id)
        log.info(
            "Deleted dataset %s with guid %s",
            harvest_object.package_id,
            harvest_object.guid,
        )
        return True

    def _undo(self, created: list[str]) -> None:
        """Roll the session back and purge organizations this import made.

        ``organization_create`` in CKAN 2.12 commits the creator's membership
        even when asked to defer the commit, so a rollback alone would leave
        the new organizations behind.
        """
        model.Session.rollback()
        for org_id in created:
            try:
                tk.get_action("organization_purge")(
                    {"user": self._get_user_name(), "ignore_auth": True},
                    {"id": org_id},
                )
            except tk.ObjectNotFound:
                continue
            log.info("Purged organization %s created by a failed import", org_id)

    def _import(
        self, harvest_object: HarvestObject, status: str | None, created: list[str]
    ) -> bool | str:
        options = self._source_config(harvest_object)
        record = json.loads(harvest_object.content)
        result = datajson.map_record(
            record, default_publisher=options.get("default_publisher")
        )
        if result.problems:
            raise ImportProblem(problem_message(harvest_object, result))

        previous = self._previous_object(harvest_object)
        if previous is not None:
            previous.current = False
            previous.add()
        if self._unchanged(harvest_object, previous):
            harvest_object.package_id = previous.package_id
            harvest_object.current = True
            harvest_object.add()
            model.Session.commit()
            return "unchanged"

        package = self._package_dict(harvest_object, result, options, created)
        self._record_extras(harvest_object, result, created)
        self._save_package(harvest_object, status, package)
        return True

    def _previous_object(self, harvest_object: HarvestObject) -> HarvestObject | None:
        return (
            model.Session.query(HarvestObject)
            .filter(HarvestObject.guid == harvest_object.guid)
            .filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id)
            .filter(HarvestObject.current == True)  # noqa: E712
            .filter(HarvestObject.id != harvest_object.id)
            .first()
        )

    def _unchanged(
        self, harvest_object: HarvestObject, previous: HarvestObject | None
    ) -> bool:
        if previous is None or not previous.package_id:
            return False
        if previous.content != harvest_object.content:
            return False
        package = model.Package.get(previous.package_id)
        return package is not None and package.state == "active"

    def _package_dict(
        self,
        harvest_object: HarvestObject,
        result: datajson.MappingResult,
        options: dict[str, Any],
        created: list[str],
    ) -> dict[str, Any]:
        aliases = options.get("publisher_aliases") or {}
        package = dict(result.package)
        if result.publisher is None:
            raise ImportProblem(problem_message(harvest_object, result))
        owner = self._organization(result.publisher, aliases, created)
        package["owner_org"] = owner
        for field_name, skpd in (
            ("producer", result.producer),
            ("custodian", result.custodian),
        ):
            if skpd is not None:
                org_id = self._organization(skpd, aliases, created)
                if org_id != owner:
                    package[field_name] = org_id
        extras = [e for e in package.get("extras", []) if e["key"] != "guid"]
        extras.append({"key": "guid", "value": harvest_object.guid})
        if result.identifier and result.identifier != harvest_object.guid:
            extras.append({"key": "remote_identifier", "value": result.identifier})
        extras.append({"key": "harvest_source_url", "value": harvest_object.source.url})
        package["extras"] = extras
        return package

    def _organization(
        self, skpd: datajson.Skpd, aliases: dict[str, str], created: list[str]
    ) -> str:
        """Return the id of the organization of an SKPD, creating it once."""
        local_name = aliases.get(skpd.raw) or _alias_by_key(aliases, skpd.key)
        if local_name:
            group = model.Group.get(local_name)
            if group is None or not group.is_organization or group.state != "active":
                raise ImportProblem(
                    'publisher_aliases maps "{}" to "{}", but no active '
                    "organization has that name. Create it or correct the "
                    "harvest source configuration.".format(skpd.raw, local_name)
                )
            return group.id

        org_id = find_organization(skpd)
        if org_id:
            return org_id
        org_id = self._create_organization(skpd)
        created.append(org_id)
        return org_id

    def _create_organization(self, skpd: datajson.Skpd) -> str:
        data: dict[str, Any] = {
            "name": _free_organization_name(skpd.slug),
            "title": skpd.title,
            "urusan": list(skpd.domains),
        }
        if skpd.abbreviation:
            data["abbreviation"] = skpd.abbreviation
        if skpd.kind:
            data["kind"] = skpd.kind
        if skpd.raw and skpd.raw != skpd.title:
            data["aliases"] = [skpd.raw]
        # No return_id_only: the activity plugin of CKAN 2.12 expects the
        # organization dict as the action's result.
        context = {"user": self._get_user_name(), "ignore_auth": True}
        try:
            org_id = tk.get_action("organization_create")(context, data)["id"]
        except tk.ValidationError as err:
            raise ImportProblem(
                'Could not create the SKPD organization "{}": {}'.format(
                    skpd.title, _flatten_errors(err.error_dict)
                )
            ) from err
        log.info("Created organization %s for publisher %s", data["name"], skpd.raw)
        return org_id

    def _record_extras(
        self,
        harvest_object: HarvestObject,
        result: datajson.MappingResult,
        created: list[str],
    ) -> None:
        if result.unmapped:
            harvest_object.extras.append(
                HarvestObjectExtra(
                    key=EXTRA_UNMAPPED,
                    value=json.dumps(result.unmapped, ensure_ascii=False),
                )
            )
        if created:
            names = [model.Group.get(org_id).name for org_id in created]
            harvest_object.extras.append(
                HarvestObjectExtra(key=EXTRA_CREATED_ORGS, value=json.dumps(names))
            )

    def _save_package(
        self, harvest_object: HarvestObject, status: str | None, package: dict[str, Any]
    ) -> None:
        context: dict[str, Any] = {
            "user": self._get_user_name(),
            "ignore_auth": True,
            "return_id_only": True,
        }
        existing = self._existing_package(harvest_object, status)
        if existing is None:
            package["id"] = str(uuid.uuid4())
            package["name"] = self._gen_new_name(package["title"])
            harvest_object.package_id = package["id"]
            harvest_object.current = True
            harvest_object.add()
            # The harvest plugin indexes the dataset with its harvest object,
            # so the object must point at the dataset before it exists.
            model.Session.execute(
                sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED")
            )
            model.Session.flush()
            tk.get_action("package_create")(context, package)
            log.info("Created dataset %s (guid %s)", package["name"], harvest_object.guid)
            return

        package["id"] = existing["id"]
        package["name"] = existing["name"]
        for field_name in LOCAL_FIELDS:
            if field_name not in package and existing.get(field_name) not in (None, ""):
                package[field_name] = existing[field_name]
        copy_across_resource_ids(existing, package)
        harvest_object.package_id = existing["id"]
        harvest_object.current = True
        harvest_object.add()
        tk.get_action("package_update")(context, package)
        log.info("Updated dataset %s (guid %s)", existing["name"], harvest_object.guid)

    def _existing_package(
        self, harvest_object: HarvestObject, status: str | None
    ) -> dict[str, Any] | None:
        if status != "change" or not harvest_object.package_id:
            return None
        try:
            return tk.get_action("package_show")(
                {"ignore_auth": True, "for_update": True},
                {"id": harvest_object.package_id},
            )
        except tk.ObjectNotFound:
            return None


def _sha1(text: str) -> str:
    return sha1(text.encode("utf-8")).hexdigest()


def _alias_by_key(aliases: dict[str, str], key: str) -> str | None:
    for remote, local in aliases.items():
        if datajson.skpd_key(remote) == key:
            return local
    return None


def _free_organization_name(slug: str) -> str:
    name, number = slug, 1
    while model.Group.by_name(name) is not None:
        number += 1
        suffix = f"-{number}"
        name = slug[: datajson.ORG_NAME_MAX_LENGTH - len(suffix)] + suffix
    return name


def _json_list(value: Any) -> list[Any]:
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return [value]
    return parsed if isinstance(parsed, list) else [parsed]


def organization_keys(group: model.Group) -> set[str]:
    """Return every key an organization can be matched by.

    Its name, title, the normalised title, its abbreviation, its SKPD code
    and each of its ``aliases``, raw and normalised.
    """
    extras = group.extras or {}
    keys = {group.name, (group.title or "").strip().lower()}
    names = [group.title or "", extras.get("abbreviation") or ""]
    names += [str(alias) for alias in _json_list(extras.get("aliases"))]
    for name in names:
        if name.strip():
            keys.add(name.strip().lower())
            keys.add(datajson.skpd_key(name))
    if extras.get("skpd_code"):
        keys.add(extras["skpd_code"].strip())
    keys.discard("")
    return keys


def find_organization(skpd: datajson.Skpd) -> str | None:
    """Return the id of the active organization that is this SKPD, if any."""
    expected = {skpd.key, skpd.slug, skpd.raw.lower(), skpd.title.lower()}
    if skpd.abbreviation:
        expected.add(skpd.abbreviation.lower())
    groups = model.Session.query(model.Group).filter(
        model.Group.is_organization == True,  # noqa: E712
        model.Group.state == "active",
    )
    for group in groups.order_by(model.Group.created):
        if expected & organization_keys(group):
            return group.id
    return None


def _flatten_errors(errors: Any, prefix: str = "") -> str:
    parts: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            text = _flatten_errors(value, name)
            if text:
                parts.append(text)
    elif isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            messages = " ".join(item for item in errors if item)
            return f"{prefix}: {messages}" if messages else ""
        for index, item in enumerate(errors):
            text = _flatten_errors(item, f"{prefix}[{index}]")
            if text:
                parts.append(text)
    elif errors:
        return f"{prefix}: {errors}"
    return "; ".join(parts)


def _record_label(harvest_object: HarvestObject) -> str:
    try:
        record = json.loads(harvest_object.content or "{}")
    except ValueError:
        record = {}
    title = record.get("title") if isinstance(record, dict) else None
    return '"{}" (identifier {})'.format(title or "untitled", harvest_object.guid)


def validation_message(harvest_object: HarvestObject, errors: dict[str, Any]) -> str:
    """Return the object error for a dataset the schema rejected."""
    return "Dataset {} was not imported. Invalid fields: {}".format(
        _record_label(harvest_object), _flatten_errors(errors)
    )


def problem_message(
    harvest_object: HarvestObject, result: datajson.MappingResult
) -> str:
    """Return the object error for a record that could not be mapped."""
    return "Record {} was not imported: {}".format(
        _record_label(harvest_object), " ".join(result.problems)
    )
