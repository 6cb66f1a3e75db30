"""Semantic search: the text encoder and the vector stores (adapters wired by services/bootstrap.py)."""
