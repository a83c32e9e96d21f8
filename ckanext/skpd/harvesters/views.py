"""The inventory spreadsheet template: a page and its downloads.

``/skpd/inventory-template`` explains the columns; the files are served at
``/skpd/inventory-template/<lang>.<format>`` with ``lang`` ``id`` or ``en``
and ``format`` ``csv`` or ``xlsx``. Anyone may download them.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.skpd import vocab
from ckanext.skpd.mapping import spreadsheet

blueprint = Blueprint("skpd_harvest", __name__)

LANGUAGES = ("id", "en")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_NAMES = {
    "id": "templat-inventaris-data-skpd",
    "en": "skpd-data-inventory-template",
}


def template_page() -> str:
    lang = "en" if tk.h.lang() == "en" else "id"
    columns = [
        {
            "header": column.header(lang),
            "other_header": column.header("id" if lang == "en" else "en"),
            "step": spreadsheet.STEP_TITLES[column.step][1 if lang == "en" else 0],
            "required": column.required,
            "help": column.help(lang),
            "allowed": "; ".join(
                term.label(lang) for term in vocab.terms(column.vocabulary)
            )
            if column.vocabulary
            else "",
        }
        for column in spreadsheet.COLUMNS
    ]
    return tk.render("skpd/harvest/template.html", {"columns": columns})


def template_file(lang: str, file_format: str) -> Response:
    if lang not in LANGUAGES or file_format not in MEDIA_TYPES:
        return tk.abort(404, tk._("No such template"))
    if file_format == "csv":
        body = spreadsheet.template_csv(lang)
    else:
        body = spreadsheet.template_xlsx(lang)
    name = f"{FILE_NAMES[lang]}.{file_format}"
    return Response(
        body,
        mimetype=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


blueprint.add_url_rule("/skpd/inventory-template", view_func=template_page)
blueprint.add_url_rule(
    "/skpd/inventory-template/<lang>.<file_format>", view_func=template_file
)
