# ruff: noqa: T201 (a command-line report)
"""Benchmark of the lineage and integration actions on a synthetic catalogue.

Generates a catalogue of SKPD, datasets and lineage links (10,000 datasets,
30,000 links and 60 SKPD by default) straight into the database, indexes it
in Solr, then times each action beside ``package_search`` with 20 rows in
the same run and prints the median and 95th percentile of each.

Run it against a database and Solr core of its own: generating replaces
every dataset and organization whose name starts with ``bench-`` (and
nothing else), and the figures are only comparable on an otherwise small
catalogue::

    export CKAN_SQLALCHEMY_URL=postgresql://.../ckan_bench
    export CKAN_SOLR_URL=http://127.0.0.1:18983/solr/ckan_bench
    .stack/venv/bin/python bench/lineage_bench.py --ini test.ini

Use ``--reuse`` to time again without generating, and ``--help`` for the
sizes. The timings call the actions in-process, as the web and API views
do, with a normal user who is a member of three SKPD.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

PREFIX = "bench-"
RELATIONS = ("derived_from", "aggregated_from", "validated_against", "copy_of")
DOMAINS = (
    "regional_finance",
    "staffing",
    "population",
    "health_services",
    "spatial",
    "education",
    "economy",
    "infrastructure",
    "social_welfare",
    "environment",
)
FORMS = ("sim_database", "office_files", "processed_hardcopy", "raw_hardcopy")
CADENCES = ("monthly", "quarterly", "semiannual", "annual")
STATUSES = ("identified", "agreed", "running", "stopped")
METHODS = ("api", "database_link", "file_export", "manual_delivery")
ROLES = ("collector", "processor", "provider", "user")
WORDS = (
    "jumlah penduduk kecamatan kelurahan rumah sakit puskesmas pegawai anggaran "
    "realisasi pendapatan belanja aset sekolah siswa guru jalan jembatan irigasi "
    "bantuan sosial keluarga miskin kunjungan pasien imunisasi kelahiran kematian "
    "izin usaha pajak retribusi pasar harga komoditas sampah air bersih"
).split()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default="test.ini", help="CKAN configuration file")
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=30_000)
    parser.add_argument("--skpd", type=int, default=60)
    parser.add_argument("--private-share", type=float, default=0.1)
    parser.add_argument(
        "--partners",
        type=int,
        default=6,
        help="SKPD each SKPD takes data from; 0 for all (a complete flow graph)",
    )
    parser.add_argument("--runs", type=int, default=30, help="timed calls per action")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--reuse", action="store_true", help="time the catalogue generated before"
    )
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=None,
        help="override ckanext.skpd.lineage.cache_seconds (0 times every count cold)",
    )
    return parser.parse_args()


def load_ckan(ini: str) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(os.path.abspath(ini)))
    return app._wsgi_app


# Generation -------------------------------------------------------------


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()


def _organizations(count: int) -> list[dict[str, Any]]:
    now = datetime.datetime.utcnow()
    return [
        {
            "id": str(uuid.uuid4()),
            "name": f"{PREFIX}skpd-{i:02d}",
            "title": f"Bench SKPD {i:02d}",
            "description": "",
            "created": now,
            "state": "active",
            "type": "organization",
            "approval_status": "approved",
            "image_url": "",
            "is_organization": True,
            "extras": {"abbreviation": f"B{i:02d}", "kind": "dinas"},
        }
        for i in range(count)
    ]


def _partners(rng: random.Random, orgs: int, partners: int) -> list[list[int]]:
    """Return for each SKPD the SKPD it exchanges data with.

    With ``partners`` 0 every SKPD exchanges with every other, which gives
    a nearly complete flow graph, the worst case for the flow views.
    """
    if partners <= 0 or partners >= orgs - 1:
        return [[o for o in range(orgs) if o != org] for org in range(orgs)]
    return [
        rng.sample([o for o in range(orgs) if o != org], partners)
        for org in range(orgs)
    ]


def _lineage_plan(
    rng: random.Random, owners: list[int], links: int, partners: list[list[int]]
) -> list[list[tuple[int, str]]]:
    """Return the upstream indexes of each dataset.

    Upstreams are mostly earlier datasets, chosen with preferential
    attachment, so that a few registries (population, staff, budget) feed
    thousands of datasets as in a real government. Half of a dataset's
    upstreams belong to its own SKPD, the other half to the SKPD's partners.
    About 1 % of links point to any dataset, forward ones included, and so
    close cycles. The first 3 % of datasets are registries with no upstream.
    """
    count = len(owners)
    plan: list[list[tuple[int, str]]] = [[] for _ in range(count)]
    roots = max(1, count * 3 // 100)
    pools: dict[int, list[int]] = {}
    for index in range(roots):
        pools.setdefault(owners[index], []).append(index)
    linked = list(range(roots, count))
    for n in range(links):
        target = linked[n % len(linked)] if n < len(linked) else rng.choice(linked)
        source = _pick_source(rng, target, owners, pools, partners)
        plan[target].append((source, rng.choice(RELATIONS)))
        pools.setdefault(owners[source], []).append(source)
        if n < len(linked):
            pools.setdefault(owners[target], []).append(target)
    return plan


def _pick_source(
    rng: random.Random,
    target: int,
    owners: list[int],
    pools: dict[int, list[int]],
    partners: list[list[int]],
) -> int:
    if rng.random() < 0.01:
        source = rng.randrange(len(owners))
        return source if source != target else (source + 1) % len(owners)
    own = owners[target]
    org = own if rng.random() < 0.5 else rng.choice(partners[own])
    pool = [i for i in pools.get(org, ())[-200:] if i < target] or [
        i for i in pools.get(own, ()) if i < target
    ]
    if not pool:
        return rng.randrange(target) if target else 1
    return rng.choice(pool)


def _dataset_rows(
    rng: random.Random,
    args: argparse.Namespace,
    orgs: list[dict[str, Any]],
    user_id: str,
) -> list[dict[str, Any]]:
    now = datetime.datetime.utcnow()
    ids = [str(uuid.uuid4()) for _ in range(args.datasets)]
    weights = [1 + (i % 7) for i in range(len(orgs))]
    owners = rng.choices(range(len(orgs)), weights, k=args.datasets)
    partners = _partners(rng, len(orgs), args.partners)
    plan = _lineage_plan(rng, owners, args.links, partners)
    rows = []
    for i, dataset_id in enumerate(ids):
        owner = orgs[owners[i]]
        near = [orgs[o] for o in partners[owners[i]]] + [owner]
        extras = {
            "collection_method": "routine_periodic",
            "cadence": rng.choice(CADENCES),
            "collection_technique": "administrative_records",
            "availability_forms": json.dumps(rng.sample(FORMS, rng.randint(1, 2))),
            "domains": json.dumps(rng.sample(DOMAINS, rng.randint(1, 2))),
            "access_level": rng.choice(("open", "limited", "closed")),
            "exchange_methods": json.dumps(rng.sample(METHODS, rng.randint(0, 2))),
            "lineage": json.dumps(
                [
                    {"upstream": ids[source], "relation": relation, "note": ""}
                    for source, relation in plan[i]
                ]
            ),
            "authority_roles": json.dumps(
                [
                    {"role": rng.choice(ROLES), "holder": rng.choice(near)["id"]}
                    for _ in range(rng.randint(1, 3))
                ]
            ),
        }
        if rng.random() < 0.5:
            extras["exchange_needs"] = json.dumps(
                [
                    {
                        "consumer": rng.choice(near[:-1])["id"],
                        "purpose": "Perencanaan",
                        "frequency": rng.choice(CADENCES),
                        "method": rng.choice(METHODS),
                        "status": rng.choice(STATUSES),
                    }
                ]
            )
        if rng.random() < 0.7:
            extras.update(
                concept="Konsep", definition="Definisi", unit_of_measure="jiwa"
            )
        rows.append(
            {
                "id": dataset_id,
                "name": f"{PREFIX}ds-{i:05d}",
                "title": _title(rng),
                "notes": "Data sintetis untuk uji kinerja.",
                "state": "active",
                "type": "dataset",
                "owner_org": owner["id"],
                "private": rng.random() < args.private_share,
                "license_id": "cc-by",
                "creator_user_id": user_id,
                "metadata_created": now,
                "metadata_modified": now,
                "extras": extras,
                "plugin_data": {},
            }
        )
    return rows


def generate(args: argparse.Namespace) -> None:
    import ckan.model as model
    from ckan.lib import search
    from ckan.logic import get_action

    rng = random.Random(args.seed)
    started = time.perf_counter()
    _delete_previous(model)
    site_user = get_action("get_site_user")({"ignore_auth": True}, {})
    user = model.User.get(site_user["name"])
    orgs = _organizations(args.skpd)
    datasets = _dataset_rows(rng, args, orgs, user.id)
    model.Session.execute(model.group_table.insert(), orgs)
    model.Session.execute(model.package_table.insert(), datasets)
    model.Session.execute(
        model.member_table.insert(),
        [
            {
                "id": str(uuid.uuid4()),
                "group_id": row["owner_org"],
                "table_id": row["id"],
                "state": "active",
                "table_name": "package",
                "capacity": "organization",
            }
            for row in datasets
        ],
    )
    model.Session.commit()
    print(
        f"inserted {len(orgs)} SKPD and {len(datasets)} datasets "
        f"in {time.perf_counter() - started:.1f} s"
    )

    # The rows went in without the ORM, so the link tables are filled here,
    # as `ckan skpd rebuild-links` would.
    from ckanext.skpd.lineage import links

    started = time.perf_counter()
    count = links.rebuild(model.Session.connection())
    model.Session.commit()
    elapsed = time.perf_counter() - started
    print(f"filled the link tables ({count} rows) in {elapsed:.1f} s")

    started = time.perf_counter()
    search.rebuild(
        package_ids=[row["id"] for row in datasets], defer_commit=True, quiet=True
    )
    search.commit()
    print(f"indexed them in {time.perf_counter() - started:.1f} s")


def _delete_previous(model: Any) -> None:
    import ckan.lib.search as search
    import sqlalchemy as sa

    package = model.package_table
    group = model.group_table
    old = sa.select(package.c.id).where(package.c.name.like(PREFIX + "%"))
    old_orgs = sa.select(group.c.id).where(group.c.name.like(PREFIX + "%"))
    model.Session.execute(
        model.member_table.delete().where(
            sa.or_(
                model.member_table.c.table_id.in_(old),
                model.member_table.c.group_id.in_(old_orgs),
            )
        )
    )
    model.Session.execute(package.delete().where(package.c.name.like(PREFIX + "%")))
    model.Session.execute(group.delete().where(group.c.name.like(PREFIX + "%")))
    model.Session.commit()
    connection = search.make_connection()
    connection.delete(q=f"+name:{PREFIX}*")
    connection.commit()


# Timing -----------------------------------------------------------------


def _viewer(model: Any, orgs: list[Any]) -> dict[str, Any]:
    """Return the context of a user who is an editor of three SKPD."""
    from ckan.logic import get_action

    name = PREFIX + "viewer"
    user = model.User.get(name)
    if user is None:
        get_action("user_create")(
            {"ignore_auth": True},
            {"name": name, "email": "bench@example.org", "password": "Bench-pass-2026"},
        )
    for org in orgs[:3]:
        get_action("organization_member_create")(
            {"ignore_auth": True}, {"id": org.id, "username": name, "role": "editor"}
        )
    return {"user": name}


def _time(call: Callable[[], Any], runs: int) -> list[float]:
    call()  # warm caches, as a running site has them warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(args: argparse.Namespace) -> None:
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.logic import get_action

    rng = random.Random(args.seed + 1)
    orgs = list(
        model.Session.query(model.Group)
        .filter(model.Group.name.like(PREFIX + "%"))
        .order_by(model.Group.name)
    )
    context = _viewer(model, orgs)
    public_ids = [
        row.id
        for row in model.Session.execute(
            sa.select(model.package_table.c.id).where(
                model.package_table.c.name.like(PREFIX + "%"),
                model.package_table.c.private.is_(False),
            )
        )
    ]
    samples = rng.sample(public_ids, args.runs + 1)
    org_samples = [rng.choice(orgs) for _ in range(args.runs + 1)]

    def action(name: str, data: Callable[[], dict[str, Any]]) -> Callable[[], Any]:
        return lambda: get_action(name)(dict(context), data())

    def cycle(values: list[Any]) -> Callable[[], Any]:
        state = {"i": 0}

        def next_value() -> Any:
            state["i"] += 1
            return values[state["i"] % len(values)]

        return next_value

    next_dataset = cycle(samples)
    next_org = cycle(org_samples)
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("package_search rows=20", action("package_search", lambda: {"rows": 20})),
    ]
    for depth in (1, 3, 5):
        cases.append(
            (
                f"skpd_lineage_show depth={depth}",
                action(
                    "skpd_lineage_show",
                    lambda depth=depth: {"id": next_dataset(), "depth": depth},
                ),
            )
        )
    cases += [
        ("skpd_flow_graph_show", action("skpd_flow_graph_show", dict)),
        (
            "skpd_flow_graph_show domain=population",
            action("skpd_flow_graph_show", lambda: {"domain": "population"}),
        ),
        ("skpd_exchange_matrix_show", action("skpd_exchange_matrix_show", dict)),
        (
            "skpd_authority_matrix_show organization=<SKPD>",
            action(
                "skpd_authority_matrix_show", lambda: {"organization": next_org().id}
            ),
        ),
        (
            "skpd_inventory_show id=<SKPD>",
            action("skpd_inventory_show", lambda: {"id": next_org().id}),
        ),
    ]

    baseline = None
    print()
    print(f"{'call':48} {'median ms':>10} {'p95 ms':>9} {'x search':>9}")
    for label, call in cases:
        times = _time(call, args.runs)
        median = statistics.median(times)
        baseline = baseline or median
        print(
            f"{label:48} {median:10.1f} {_percentile(times, 0.95):9.1f}"
            f" {median / baseline:9.2f}"
        )
    _print_sizes(get_action, context, samples[0])


def _print_sizes(get_action: Any, context: dict[str, Any], dataset_id: str) -> None:
    print()
    for depth in (1, 3, 5):
        result = get_action("skpd_lineage_show")(
            dict(context), {"id": dataset_id, "depth": depth}
        )
        print(
            f"lineage of one dataset at depth {depth}: {len(result['nodes'])} nodes, "
            f"{len(result['edges'])} edges, {result['withheld']} withheld, "
            f"truncated={result['truncated']}"
        )
    flows = get_action("skpd_flow_graph_show")(dict(context), {})
    print(f"flow graph: {len(flows['nodes'])} SKPD, {len(flows['edges'])} flows")


def describe_machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if "model name" in line
            ]
        cpu = f"{names[0]} x {len(names)}" if names else cpu
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0.0
    solr = "Solr 9.10.1" if "18983" in os.environ.get("CKAN_SOLR_URL", "18983") else ""
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{cpu}, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"{postgres or 'PostgreSQL'}, {solr}".rstrip(", ")
    )


def main() -> None:
    args = parse_args()
    app = load_ckan(args.ini)
    if args.cache_seconds is not None:
        from ckan.plugins.toolkit import config

        config["ckanext.skpd.lineage.cache_seconds"] = args.cache_seconds
    with app.test_request_context():
        if not args.reuse:
            generate(args)
        print(describe_machine())
        run(args)


if __name__ == "__main__":
    sys.exit(main())
