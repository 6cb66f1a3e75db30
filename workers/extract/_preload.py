"""Imported once by the extraction fork server, so that every extraction child starts warm."""

import os

os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

import unstructured.partition.docx
import unstructured.partition.html
import unstructured.partition.pptx
import unstructured.partition.text  # noqa: F401

import workers.extract.extractor  # noqa: F401
from workers.extract.offline_nlp import install_offline_nlp

# Warming is this module's only job: done once here instead of once per document.
install_offline_nlp()
