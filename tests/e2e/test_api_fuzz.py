"""Schemathesis against the OpenAPI document: no 5xx, and every response as the schema says.

The operations are walked by hand (``schemathesis.pytest.from_fixture`` does not run on pytest 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from services.bootstrap import Container
from services.search.app import create_app
from tests.support import FIXTURES, ingest_and_wait

pytestmark = pytest.mark.slow


def test_every_operation_answers_as_documented(running: Container, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "220310_mandat_GT_CNIG_Friches.pdf", tmp_path / "mandat.pdf")
    ingest_and_wait(running, [tmp_path / "mandat.pdf"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(running))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # noqa: ANN001
            case.call_and_validate()

        check()
