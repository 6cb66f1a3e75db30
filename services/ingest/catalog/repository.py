"""Document catalog: one row per content hash, one row per file path that points to it.

SQLAlchemy over SQLite (WAL, the default) or PostgreSQL (``PHARE_DATABASE_URL``). The catalog is
the source of pipeline state: a row is written before its message is queued, and every state
change of every stage lands here.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, event, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import ColumnElement

from schemas.curation import Change, FieldCuration
from schemas.documents import TERMINAL_STATES, DocState
from services.ingest.catalog.migrate import sqlite_pragmas, upgrade
from services.ingest.catalog.models import Base, CorrectionRow, DocumentRow, EditRow, PathRow, doc_id_for

_REMOVED = "fichier retiré de la bibliothèque"
#: paths per ``IN (…)`` list: well under SQLite's and PostgreSQL's bound-parameter limits
_IN_CHUNK = 500


@dataclass(frozen=True)
class Registration:
    """Outcome of registering one file: which document it is and whether it must be queued."""

    doc_id: str
    created: bool
    duplicate: bool
    orphaned: str | None = None  # the document this path held before, if no path holds it any more


@dataclass(frozen=True)
class Removal:
    """Outcome of forgetting one path."""

    doc_id: str
    orphaned: bool  # no path holds the document any more
    primary_changed: bool  # another path now names the document


@dataclass(frozen=True)
class KnownPath:
    path: str
    doc_id: str
    size: int
    mtime: float


@dataclass(frozen=True)
class PathStatus:
    path: str
    doc_id: str
    state: str
    reason: str | None


class Catalog:
    """The document state store. Safe to share between threads; each call is one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self._engine, "connect", sqlite_pragmas)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Bring the catalog to the latest migration (``migrations.upgrade``)."""
        upgrade(self._engine)

    def drop_schema(self) -> None:
        Base.metadata.drop_all(self._engine)
        with self._engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))

    def dispose(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def transaction(self) -> AbstractContextManager[Session]:
        """One transaction on the catalog's database, for the stores that share it (subscriptions)."""
        return self._session()

    def register(self, sha256: str, size: int, path: str, mtime: float, fmt: str | None = None,
                 owner: str | None = None) -> Registration:
        """Record that ``path`` holds content ``sha256``; create the document if the content is new.

        A second path with already known content is a duplicate of that document. Registering the
        same path again with the same content changes nothing (idempotent). ``owner``: the API key
        that uploaded the path.
        """
        doc_id = doc_id_for(sha256)
        for _ in range(3):
            try:
                return self._register_once(doc_id, sha256, size, path, mtime, fmt, owner)
            except IntegrityError:  # another process registered the same content concurrently
                continue
        return self._register_once(doc_id, sha256, size, path, mtime, fmt, owner)

    def _register_once(
        self, doc_id: str, sha256: str, size: int, path: str, mtime: float, fmt: str | None, owner: str | None
    ) -> Registration:
        with self._session() as s:
            doc = s.get(DocumentRow, doc_id)
            created = doc is None
            if doc is None:
                s.add(DocumentRow(id=doc_id, sha256=sha256, size=size, format=fmt, state=DocState.QUEUED))
                s.flush()
            elif doc.state == DocState.DELETED:  # the content is back: its cached artifacts make this quick
                doc.state, doc.reason, doc.attempts, doc.updated_at = DocState.QUEUED, None, 0, time.time()
                created = True
            orphaned = None
            row = s.get(PathRow, path)
            if row is None:
                row = PathRow(path=path, doc_id=doc_id, duplicate=self._has_primary(s, doc_id, path), size=size,
                              mtime=mtime, owner=owner)
                s.add(row)
            elif row.doc_id != doc_id:  # the file at this path changed content
                previous = row.doc_id
                row.doc_id, row.size, row.mtime = doc_id, size, mtime
                row.duplicate = self._has_primary(s, doc_id, path)
                s.flush()
                self._carry_corrections(s, previous, doc_id)
                orphaned = self._forget_if_orphaned(s, previous)
            else:
                row.size, row.mtime = size, mtime
            return Registration(doc_id=doc_id, created=created, duplicate=row.duplicate, orphaned=orphaned)

    @staticmethod
    def _carry_corrections(s: Session, old: str, new: str) -> None:
        """A new version of a file keeps what documentalists said of the previous one (unless the new
        content already has corrections of its own), history included."""
        if s.scalar(select(func.count()).select_from(CorrectionRow).where(CorrectionRow.doc_id == new)):
            return
        for c in s.scalars(select(CorrectionRow).where(CorrectionRow.doc_id == old)):
            s.add(CorrectionRow(doc_id=new, field=c.field, value=c.value, corrected=c.corrected,
                                validated=c.validated, by=c.by, at=c.at))
        for e in s.scalars(select(EditRow).where(EditRow.doc_id == old).order_by(EditRow.id)):
            s.add(EditRow(doc_id=new, field=e.field, before=e.before, after=e.after, validated=e.validated,
                          by=e.by, at=e.at))

    @staticmethod
    def _has_primary(s: Session, doc_id: str, other_than: str) -> bool:
        return bool(s.scalar(select(func.count()).select_from(PathRow).where(
            PathRow.doc_id == doc_id, PathRow.duplicate.is_(False), PathRow.path != other_than)))

    @staticmethod
    def _forget_if_orphaned(s: Session, doc_id: str) -> str | None:
        """Mark ``doc_id`` deleted if no path holds it any more; else make sure one path is primary."""
        rows = list(s.scalars(select(PathRow).where(PathRow.doc_id == doc_id).order_by(PathRow.path)))
        if not rows:
            doc = s.get(DocumentRow, doc_id)
            if doc is not None:
                doc.state, doc.reason, doc.updated_at = DocState.DELETED, _REMOVED, time.time()
            return doc_id
        if all(r.duplicate for r in rows):
            rows[0].duplicate = False
        return None

    def remove_path(self, path: str) -> Removal | None:
        """Forget ``path`` (deleted or moved away); None if it was not known."""
        with self._session() as s:
            row = s.get(PathRow, path)
            if row is None:
                return None
            doc_id, was_primary = row.doc_id, not row.duplicate
            s.delete(row)
            s.flush()
            orphaned = self._forget_if_orphaned(s, doc_id) is not None
            return Removal(doc_id=doc_id, orphaned=orphaned, primary_changed=was_primary and not orphaned)

    def known_path(self, path: str) -> KnownPath | None:
        with self._session() as s:
            row = s.get(PathRow, path)
            return KnownPath(row.path, row.doc_id, row.size, row.mtime) if row else None

    def paths_under(self, folder: str) -> list[str]:
        """Known paths inside ``folder`` (a normalised absolute path), at any depth."""
        prefix = folder.rstrip("/") + "/"
        with self._session() as s:
            return list(s.scalars(select(PathRow.path).where(PathRow.path.startswith(prefix, autoescape=True))))

    def set_state(self, doc_id: str, state: DocState, reason: str | None = None, **fields: object) -> None:
        with self._session() as s:
            row = s.get(DocumentRow, doc_id)
            if row is None:
                raise KeyError(doc_id)
            row.state, row.reason, row.updated_at, row.claimed_at = state, reason, time.time(), None
            for key, value in fields.items():
                setattr(row, key, value)

    def transition(self, doc_id: str, expected: DocState, state: DocState, reason: str | None = None,
                   **fields: object) -> bool:
        """Set ``state`` only if the document is still in ``expected`` (another process may have moved
        it meanwhile, e.g. deleted it); whether it did."""
        with self._session() as s:
            row = s.get(DocumentRow, doc_id, with_for_update=True)
            if row is None or row.state != expected:
                return False
            row.state, row.reason, row.updated_at, row.claimed_at = state, reason, time.time(), None
            for key, value in fields.items():
                setattr(row, key, value)
            return True

    def claim(self, doc_id: str, accepted: Iterable[DocState], state: DocState, lease_s: float) -> DocumentRow | None:
        """Start stage ``state`` on the document: only if it is in one of ``accepted`` and no other
        worker started this stage less than ``lease_s`` ago (a duplicate message). The attempt is
        counted and the claim stamped. One conditional UPDATE, so two workers never both claim it
        (SQLite included). The row as claimed, or None."""
        now = time.time()
        D = DocumentRow
        free = (D.state != state) | D.claimed_at.is_(None) | (D.claimed_at < now - lease_s)
        with self._session() as s:
            claimed = s.execute(
                update(D).where(D.id == doc_id, D.state.in_([st.value for st in accepted]), free)
                .values(state=state, attempts=D.attempts + 1, updated_at=now, claimed_at=now)
                .execution_options(synchronize_session=False))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return s.get(DocumentRow, doc_id)

    def release(self, doc_id: str, uncount: bool) -> None:
        """End a claim early, so that the retry of this stage may claim it at once; ``uncount``: the
        attempt does not count (a transient error, not a crash)."""
        with self._session() as s:
            row = s.get(DocumentRow, doc_id, with_for_update=True)
            if row is not None:
                row.claimed_at = None
                if uncount:
                    row.attempts = max(0, row.attempts - 1)

    def mark_unindexed(self, doc_ids: Iterable[str]) -> None:
        """The index no longer holds these documents, if they are still deleted (one may have come back)."""
        with self._session() as s:
            s.execute(update(DocumentRow).where(DocumentRow.id.in_(list(doc_ids)),
                                                DocumentRow.state == DocState.DELETED).values(in_index=False))

    def hidden_from_reads(self) -> list[str]:
        """Deleted documents the index may still hold (its removal is queued): reads must skip them."""
        with self._session() as s:
            return list(s.scalars(select(DocumentRow.id).where(DocumentRow.state == DocState.DELETED,
                                                               DocumentRow.in_index.is_(True))))

    def owners_of(self, doc_id: str) -> dict[str, str | None]:
        """Each path of the document and the key that uploaded it (None: a folder file or an old upload)."""
        with self._session() as s:
            return {r.path: r.owner for r in s.scalars(select(PathRow).where(PathRow.doc_id == doc_id))}

    def corrections(self, doc_id: str) -> dict[str, FieldCuration]:
        """The fields of ``doc_id`` a documentalist corrected or validated."""
        with self._session() as s:
            rows = s.scalars(select(CorrectionRow).where(CorrectionRow.doc_id == doc_id))
            return {r.field: FieldCuration(value=r.value, corrected=r.corrected, validated=r.validated, by=r.by,
                                           at=r.at) for r in rows}

    def curate(self, doc_id: str, values: dict[str, object], validated: Iterable[str],
               before: dict[str, object], by: str) -> list[Change]:
        """Set the corrected ``values`` and mark ``validated`` fields, in one transaction; every field
        whose value or validation changes gets a line of history (``before``: the values in force)."""
        now = time.time()
        changes: list[Change] = []
        confirmed = set(validated)
        with self._session() as s:
            current = {r.field: r for r in s.scalars(
                select(CorrectionRow).where(CorrectionRow.doc_id == doc_id).with_for_update())}
            for name in sorted(set(values) | confirmed):
                row = current.get(name)
                if row is None:
                    row = CorrectionRow(doc_id=doc_id, field=name, value=None, corrected=False, validated=False)
                    s.add(row)
                after = values.get(name, before.get(name))
                newly_valid = name in confirmed and not row.validated
                if name in values and (not row.corrected or row.value != after) or newly_valid:
                    changes.append(Change(field=name, before=before.get(name), after=after,
                                          validated=name in confirmed or row.validated, by=by, at=now))
                if name in values:
                    row.value, row.corrected = after, True
                row.validated = row.validated or name in confirmed
                row.by, row.at = by, now
            s.add_all(EditRow(doc_id=doc_id, field=c.field, before=c.before, after=c.after, validated=c.validated,
                              by=c.by, at=c.at) for c in changes)
        return changes

    def corrected_ids(self) -> list[str]:
        """Documents with at least one correction or validation (deleted ones excluded)."""
        with self._session() as s:
            q = (select(CorrectionRow.doc_id).distinct().join(DocumentRow, DocumentRow.id == CorrectionRow.doc_id)
                 .where(DocumentRow.state != DocState.DELETED.value).order_by(CorrectionRow.doc_id))
            return list(s.scalars(q))

    def history(self, doc_id: str) -> list[Change]:
        """Every change made to ``doc_id`` by hand, newest first."""
        with self._session() as s:
            rows = s.scalars(select(EditRow).where(EditRow.doc_id == doc_id).order_by(EditRow.id.desc()))
            return [Change(field=r.field, before=r.before, after=r.after, validated=r.validated, by=r.by, at=r.at)
                    for r in rows]

    def get(self, doc_id: str) -> DocumentRow | None:
        with self._session() as s:
            return s.get(DocumentRow, doc_id)

    def set_doubt(self, doc_id: str, doubt: int, doubt_reasons: list[dict[str, Any]]) -> None:
        with self._session() as s:
            s.execute(update(DocumentRow).where(DocumentRow.id == doc_id)
                      .values(doubt=doubt, doubt_reasons=doubt_reasons).execution_options(synchronize_session=False))

    def to_review(self, limit: int, undoubted: bool = False) -> list[DocumentRow]:
        """Indexed documents whose tags are in doubt, most doubtful first, then most recently changed;
        ``undoubted``: instead, those whose doubt was never computed (indexed before it was)."""
        D = DocumentRow
        with self._session() as s:
            q = select(D).where(D.state == DocState.INDEXED.value)
            q = q.where(D.doubt.is_(None)) if undoubted else q.where(D.doubt > 0).order_by(D.doubt.desc())
            return list(s.scalars(q.order_by(D.updated_at.desc()).limit(limit)))

    def harvest(self, since: float | None, until: float | None, after: tuple[float, str] | None, limit: int,
                ids: Collection[str] | None = None) -> tuple[list[DocumentRow], int]:
        """What a harvester sees (OAI-PMH): indexed and deleted documents changed in [since, until],
        in (updated_at, id) order, after ``after``, among ``ids`` if given; and how many in all."""
        D = DocumentRow
        where: list[ColumnElement[bool]] = [D.state.in_([DocState.INDEXED.value, DocState.DELETED.value])]
        if since is not None:
            where.append(D.updated_at >= since)
        if until is not None:
            where.append(D.updated_at <= until)
        if ids is not None:
            where.append(D.id.in_(list(ids)))
        with self._session() as s:
            total = s.scalar(select(func.count()).select_from(D).where(*where)) or 0
            if after is not None:
                where.append((D.updated_at > after[0]) | ((D.updated_at == after[0]) & (D.id > after[1])))
            rows = s.scalars(select(D).where(*where).order_by(D.updated_at, D.id).limit(limit))
            return list(rows), total

    def earliest_change(self) -> float | None:
        """When the oldest document a harvester sees last changed."""
        D = DocumentRow
        with self._session() as s:
            return s.scalar(select(func.min(D.updated_at)).where(
                D.state.in_([DocState.INDEXED.value, DocState.DELETED.value])))

    def by_state(self, state: DocState, limit: int = 100) -> list[DocumentRow]:
        """Documents in ``state``, most recently changed first."""
        with self._session() as s:
            q = select(DocumentRow).where(DocumentRow.state == state.value)
            return list(s.scalars(q.order_by(DocumentRow.updated_at.desc()).limit(limit)))

    def paths_of(self, doc_id: str) -> list[str]:
        with self._session() as s:
            rows = s.scalars(select(PathRow).where(PathRow.doc_id == doc_id).order_by(PathRow.duplicate, PathRow.path))
            return [r.path for r in rows]

    def path_status(self, paths: Iterable[str]) -> list[PathStatus]:
        """State of each path as the user sees it, in the order given: a duplicate path reports
        ``duplicate``; an unknown path, or one whose document was purged, is left out. One query per
        500 paths (``phare ingest --wait`` asks several times a second while workers share the CPU)."""
        paths = list(paths)
        rows: dict[str, tuple[bool, str, str, str | None]] = {}
        with self._session() as s:
            for i in range(0, len(paths), _IN_CHUNK):
                q = (select(PathRow.path, PathRow.duplicate, DocumentRow.id, DocumentRow.state, DocumentRow.reason)
                     .join(DocumentRow, DocumentRow.id == PathRow.doc_id)
                     .where(PathRow.path.in_(paths[i:i + _IN_CHUNK])))
                rows.update((path, (dup, doc_id, state, reason)) for path, dup, doc_id, state, reason in s.execute(q))
        out: list[PathStatus] = []
        for path in paths:
            if (row := rows.get(path)) is None:
                continue
            duplicate, doc_id, state, reason = row
            out.append(PathStatus(path=path, doc_id=doc_id,
                                  state=DocState.DUPLICATE.value if duplicate else state,
                                  reason=f"même contenu que le document {doc_id}" if duplicate else reason))
        return out

    def counts(self) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(select(DocumentRow.state, func.count()).group_by(DocumentRow.state))
            counts = {state: n for state, n in rows}
            dup = s.scalar(select(func.count()).select_from(PathRow).where(PathRow.duplicate.is_(True))) or 0
        if dup:
            counts[DocState.DUPLICATE.value] = counts.get(DocState.DUPLICATE.value, 0) + dup
        return counts

    def failure_reasons(self, limit: int = 20) -> dict[str, int]:
        """Failed documents counted by reason, the file-specific detail in parentheses left out."""
        with self._session() as s:
            rows = s.execute(select(DocumentRow.reason, func.count()).where(DocumentRow.state == DocState.FAILED)
                             .group_by(DocumentRow.reason))
            counts: dict[str, int] = {}
            for reason, n in rows:
                key = (reason or "raison inconnue").split(" (", 1)[0]
                counts[key] = counts.get(key, 0) + n
        return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:limit])

    def unfinished(self, older_than_s: float = 0.0) -> list[str]:
        """Ids of documents not in a terminal state, untouched for ``older_than_s`` seconds."""
        cutoff = time.time() - older_than_s
        with self._session() as s:
            q = select(DocumentRow.id).where(
                DocumentRow.state.not_in([st.value for st in TERMINAL_STATES]), DocumentRow.updated_at <= cutoff
            )
            return list(s.scalars(q))

    def terminal_count(self, ids: list[str]) -> int:
        """How many of ``ids`` are in a terminal state (progress of a batch)."""
        done = 0
        with self._session() as s:
            for start in range(0, len(ids), 500):
                done += s.scalar(select(func.count()).select_from(DocumentRow).where(
                    DocumentRow.id.in_(ids[start:start + 500]),
                    DocumentRow.state.in_([st.value for st in TERMINAL_STATES]))) or 0
        return done

    def all_ids(self, states: Iterable[DocState] | None = None) -> list[str]:
        with self._session() as s:
            q = select(DocumentRow.id)
            if states is not None:
                q = q.where(DocumentRow.state.in_([st.value for st in states]))
            return list(s.scalars(q.order_by(DocumentRow.created_at)))
