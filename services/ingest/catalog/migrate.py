"""Applies the catalog's Alembic migrations (``migrations/``) when a process opens the catalog, once,
even when several processes start together."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).parent / "migrations"


#: the newest migration in ``migrations/versions`` (a test keeps the two equal): a catalog already
#: there is recognised without loading alembic, which every CLI call and process start would pay
HEAD_REVISION = "0007"


def at_head(conn) -> bool:  # noqa: ANN001 - a SQLAlchemy Connection
    if not inspect(conn).has_table("alembic_version"):
        return False
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION


def migrate(conn) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    if at_head(conn):
        return
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if MigrationContext.configure(conn).get_current_revision() is None and inspect(conn).has_table("documents"):
        command.stamp(config, "0001")  # a catalog created before migrations existed
    command.upgrade(config, "head")


def sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI hook signature
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def upgrade(engine: Engine) -> None:
    """Bring the catalog to the latest migration. Safe when several processes start together:
    PostgreSQL serialises them with an advisory lock, SQLite with a lock file next to the database
    (its DDL does not lock across processes)."""
    for attempt in range(3):
        try:
            with _sqlite_file_lock(engine), engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(7102025)"))
                migrate(conn)
            return
        except DBAPIError:
            if attempt == 2:
                raise
            time.sleep(0.5)


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
