"""The embed stage: a document's card and passages as vectors, for semantic search."""
