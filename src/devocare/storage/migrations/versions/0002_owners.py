"""Users, browser sessions, an owner and a share token on every saved item; ids never reused.

Revision ID: 0002
Revises: 0001

SQLite reuses the largest id after a delete unless a table is declared ``AUTOINCREMENT``, so the three
saved-work tables are rebuilt with it (batch mode copies the rows); PostgreSQL's sequences never go back.
Items saved before this revision have no owner: they belong to the single local user.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("architectures", "scenarios", "runs")


def upgrade() -> None:
    """Create users and sessions; add owner_id and share_token to the saved-work tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("token_id", sa.String(32), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always" if sqlite else "auto", table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            batch.add_column(sa.Column("owner_id", sa.Integer, nullable=True))
            batch.add_column(sa.Column("share_token", sa.String(64), nullable=True))
        op.create_index(f"ix_{table}_owner_id", table, ["owner_id"])
        op.create_index(f"ix_{table}_share_token", table, ["share_token"], unique=True)


def downgrade() -> None:
    """Drop the ownership columns, sessions and users."""
    for table in TABLES:
        op.drop_index(f"ix_{table}_share_token", table_name=table)
        op.drop_index(f"ix_{table}_owner_id", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("share_token")
            batch.drop_column("owner_id")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
