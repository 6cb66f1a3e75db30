"""Imported once by the extraction fork server, so that every extraction child starts warm."""

import os

os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

import unstructured.partition.docx  # noqa: E402,F401
import unstructured.partition.html  # noqa: E402,F401
import unstructured.partition.pptx  # noqa: E402,F401
import unstructured.partition.text  # noqa: E402,F401

import workers.extract.extractor  # noqa: E402,F401
from workers.extract.offline_nlp import install_offline_nlp  # noqa: E402

# Warming is this module's only job: done once here instead of once per document.
install_offline_nlp()
