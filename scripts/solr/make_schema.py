#!/usr/bin/env python3
"""Write the Solr schema for ckanext-skpd: CKAN's schema plus our fields.

Usage: make_schema.py CKAN_SCHEMA_XML OUTPUT_XML

CKAN_SCHEMA_XML is the schema shipped in the installed ckan package
(<site-packages>/ckan/config/solr/schema.xml). The output keeps CKAN's text
and root element as they are, including name="ckan-2.12" (CKAN checks that
name at start-up and refuses to run without a supported one), and adds:

- float fields bbox_area, minx, maxx, miny, maxy (ckanext-spatial's bbox
  search backend);
- a location_rpt field type (JTS geometry, needs jts-core on Solr's
  classpath) and a multi-valued spatial_geom field of that type
  (ckanext-spatial's spatial-field backend);
- a multi-valued string dynamic field skpd_* for this extension's list-valued
  facets (CKAN's catch-all "*" field is single-valued).

Each addition is skipped if the input already has an element of that name, so
the script gives the same output when run again on the same input or on its
own output. The output file is only rewritten when its content changes.
Standard library only.
"""

import os
import sys
import tempfile
import xml.etree.ElementTree as ET

MARK = "<!-- added by ckanext-skpd scripts/solr/make_schema.py -->"

FIELD_TYPES = {
    "location_rpt": (
        '<fieldType name="location_rpt"'
        ' class="solr.SpatialRecursivePrefixTreeFieldType"\n'
        '               spatialContextFactory="JTS" autoIndex="true"'
        ' validationRule="repairBuffer0"\n'
        '               distErrPct="0.025" maxDistErr="0.001"'
        ' distanceUnits="kilometers"/>'
    ),
}

FIELDS = {
    "bbox_area": '<field name="bbox_area" type="pfloat" indexed="true" stored="true"/>',
    "minx": '<field name="minx" type="pfloat" indexed="true" stored="true"/>',
    "maxx": '<field name="maxx" type="pfloat" indexed="true" stored="true"/>',
    "miny": '<field name="miny" type="pfloat" indexed="true" stored="true"/>',
    "maxy": '<field name="maxy" type="pfloat" indexed="true" stored="true"/>',
    "spatial_geom": (
        '<field name="spatial_geom" type="location_rpt" indexed="true"'
        ' stored="true" multiValued="true"/>'
    ),
}

DYNAMIC_FIELDS = {
    "skpd_*": (
        '<dynamicField name="skpd_*" type="string" indexed="true"'
        ' stored="true" multiValued="true"/>'
    ),
}

# Field types that FIELDS refer to and CKAN's schema is expected to define.
REQUIRED_TYPES = ("pfloat", "string")


def names(root, tag):
    """Names of all elements with this tag anywhere in the schema.

    CKAN's schema spells both <fieldType> and <fieldtype>; Solr accepts
    either, so both count.
    """
    found = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() == tag.lower():
            found.add(el.get("name"))
    return found


def indented(lines):
    """Join lines into one block, each indented like CKAN's schema."""
    return "".join("    %s\n" % line for line in lines)


def insert_before(text, closing_tag, snippet):
    """Insert snippet on its own lines before the last closing_tag in text.

    Returns None when text has no closing_tag.
    """
    pos = text.rfind(closing_tag)
    if pos < 0:
        return None
    line_start = text.rfind("\n", 0, pos) + 1
    if text[line_start:pos].strip():
        # The closing tag shares its line with other content.
        return text[:pos] + "\n" + snippet + text[pos:]
    return text[:line_start] + snippet + text[line_start:]


def build(source_text):
    root = ET.fromstring(source_text.encode("utf-8"))
    if root.tag != "schema":
        raise ValueError("root element is <%s>, expected <schema>" % root.tag)
    schema_name = root.get("name", "")
    if not schema_name.startswith("ckan-"):
        raise ValueError(
            'schema name is "%s"; CKAN only starts with a "ckan-X.Y" name'
            % schema_name
        )

    have_types = names(root, "fieldType")
    missing = [t for t in REQUIRED_TYPES if t not in have_types]
    if missing:
        raise ValueError("CKAN's schema is missing the field types %s" % ", ".join(missing))
    have_fields = names(root, "field")
    have_dynamic = names(root, "dynamicField")

    new_types = [v for k, v in FIELD_TYPES.items() if k not in have_types]
    new_fields = [v for k, v in FIELDS.items() if k not in have_fields]
    new_fields += [v for k, v in DYNAMIC_FIELDS.items() if k not in have_dynamic]

    text = source_text
    for closing, lines in (("</types>", new_types), ("</fields>", new_fields)):
        if not lines:
            continue
        snippet = indented([MARK] + lines)
        # Solr also accepts these elements directly under <schema>.
        updated = insert_before(text, closing, snippet)
        if updated is None:
            updated = insert_before(text, "</schema>", snippet)
        text = updated

    ET.fromstring(text.encode("utf-8"))  # the result must still parse
    return text, schema_name


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except FileNotFoundError:
        pass
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".schema.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def main(argv):
    if len(argv) != 3:
        print("usage: %s CKAN_SCHEMA_XML OUTPUT_XML" % argv[0], file=sys.stderr)
        return 64
    source, output = argv[1], argv[2]
    try:
        with open(source, encoding="utf-8") as f:
            source_text = f.read()
        text, schema_name = build(source_text)
    except (OSError, ValueError, ET.ParseError) as e:
        print("make_schema: %s: %s" % (source, e), file=sys.stderr)
        return 1
    changed = write_if_changed(output, text)
    print(
        "make_schema: %s %s (schema %s)"
        % (output, "written" if changed else "unchanged", schema_name)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
