"""Add the lineage link and flow tables, filled from the existing datasets.

Revision ID: 9c1d2e4f5a60
Revises:
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "9c1d2e4f5a60"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skpd_link",
        sa.Column("dataset_id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("target", sa.UnicodeText, nullable=False),
        sa.Column("code", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("detail", JSONB),
        sa.Column("down_org", sa.UnicodeText),
        sa.Column("down_private", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("down_active", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("down_creator", sa.UnicodeText),
        sa.Column(
            "down_domains", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"
        ),
        sa.Column("up_org", sa.UnicodeText),
        sa.Column("up_private", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("up_active", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("up_creator", sa.UnicodeText),
        sa.Column(
            "up_domains", ARRAY(sa.UnicodeText), nullable=False, server_default="{}"
        ),
        sa.Column("src", sa.UnicodeText),
        sa.Column("dst", sa.UnicodeText),
        sa.Column("item", sa.UnicodeText),
        sa.Column("usable", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("public", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("unmet", sa.Boolean, nullable=False, server_default="false"),
    )
    _index("skpd_link_target_idx", ["target"], "kind = 'lineage'")
    # Recounting a pair, and telling whether a private link adds a dataset
    # that the public rows of its pair do not count already.
    _index("skpd_link_pair_idx", ["src", "dst"], "usable")
    _index("skpd_link_public_item_idx", ["src", "dst", "item"], "public")
    # The private rows of the viewer's own SKPD, added per request.
    _index(
        "skpd_link_private_down_idx",
        ["down_org"],
        "usable AND NOT public AND down_private",
    )
    _index(
        "skpd_link_private_up_idx",
        ["up_org"],
        "usable AND NOT public AND up_private AND kind = 'lineage'",
    )
    # The private datasets that take part in a flow, for the withheld count.
    _index(
        "skpd_link_withheld_down_idx",
        ["kind", "dataset_id", "down_org"],
        "usable AND down_private AND src <> dst",
    )
    _index(
        "skpd_link_withheld_up_idx",
        ["target", "up_org"],
        "usable AND up_private AND kind = 'lineage' AND src <> dst",
    )
    # The unmet needs in the order the exchange matrix lists them.
    for audience, where in (("public", "public"), ("all", "usable")):
        op.create_index(
            f"skpd_link_unmet_{audience}_idx",
            "skpd_link",
            [
                sa.text('src COLLATE "C"'),
                sa.text("(detail->>'name') COLLATE \"C\""),
                "dataset_id",
                "seq",
            ],
            postgresql_where=sa.text(f"kind = 'need' AND unmet AND {where}"),
        )
    op.create_table(
        "skpd_flow",
        sa.Column("audience", sa.UnicodeText, primary_key=True),
        sa.Column("domain", sa.UnicodeText, primary_key=True),
        sa.Column("src", sa.UnicodeText, primary_key=True),
        sa.Column("dst", sa.UnicodeText, primary_key=True),
        sa.Column("weight", sa.Integer, nullable=False),
        sa.Column("lineage", sa.Integer, nullable=False),
        sa.Column("exchange", sa.Integer, nullable=False),
        sa.Column("links", sa.Integer, nullable=False),
        sa.Column("unmet", sa.Integer, nullable=False),
        sa.Column("relations", JSONB, nullable=False),
        sa.Column("statuses", JSONB, nullable=False),
        sa.Column("doc", sa.UnicodeText, nullable=False),
    )
    op.create_index("skpd_flow_pair_idx", "skpd_flow", ["audience", "src", "dst"])
    op.create_table(
        "skpd_link_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.Column("token", sa.UnicodeText, nullable=False),
    )

    # Imported here: the module needs CKAN's model, which the migration
    # command has loaded by now.
    from ckanext.skpd.lineage import links

    links.rebuild(op.get_bind())


def _index(name: str, columns: list[str], where: str) -> None:
    op.create_index(name, "skpd_link", columns, postgresql_where=sa.text(where))


def downgrade() -> None:
    op.drop_table("skpd_link_state")
    op.drop_table("skpd_flow")
    op.drop_table("skpd_link")
