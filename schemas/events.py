"""Queue messages: small, versioned JSON. They carry ids, never text and never pickles."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

#: the Redis key prefix of phare's queues (``phare:extract`` …), shared by the broker and ``/metrics``
NAMESPACE = "phare"


class DocumentEvent(BaseModel):
    """Base of every pipeline message: the document id is all a stage needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1] = 1
    doc_id: str


class DocumentQueued(DocumentEvent):
    """The file is in the blob store and the catalog: extract it."""


class DocumentExtracted(DocumentEvent):
    """The extraction artifact exists: analyze it."""


class DocumentAnalyzed(DocumentEvent):
    """The analysis artifact exists: index it."""


class DocumentRemoved(DocumentEvent):
    """No file holds this content any more: take it out of the index."""


class DocumentIndexed(DocumentEvent):
    """The document is searchable by its words: embed it for semantic search (lowest priority)."""


#: event type -> the stage (and queue) that consumes it. The whole route in one place.
ROUTES: dict[type[DocumentEvent], str] = {
    DocumentQueued: "extract",
    DocumentExtracted: "analyze",
    DocumentAnalyzed: "index",
    DocumentRemoved: "index",  # the index writer's queue: one process writes the index
    DocumentIndexed: "embed",  # consumed by the index writer's process too (one writer of the vectors)
}
#: event type -> the actor that handles it on its stage's queue
ACTORS: dict[type[DocumentEvent], str] = {
    DocumentQueued: "extract",
    DocumentExtracted: "analyze",
    DocumentAnalyzed: "index",
    DocumentRemoved: "unindex",
    DocumentIndexed: "embed",
}
