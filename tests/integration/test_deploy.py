"""The deployment files, checked as data (no Docker engine runs here)."""

from __future__ import annotations

import yaml

from tests.support import ROOT

DEPLOY = ROOT / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_the_services_of_a_split_deployment() -> None:
    services = compose()["services"]
    assert set(services) == {"api", "worker", "embedder", "watch", "digest", "opensearch", "redis", "postgres"}
    phare = [services[name] for name in ("api", "worker", "embedder", "watch", "digest")]
    assert all(s["build"]["dockerfile"] == "deploy/Dockerfile" and s["image"] == "phare:latest" for s in phare)
    assert [s["command"][0] for s in phare] == ["api", "worker", "worker", "watch", "digest"]
    assert "deploy" not in services["digest"]  # one digest process: never scaled (it would send twice)
    assert services["embedder"]["command"][1:3] == ["--queues", "embed"]  # its own process, reniced
    assert "embed" not in services["worker"]["command"][2]
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]  # scalable


def test_nothing_is_published_beyond_localhost() -> None:
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_redis_keeps_its_queue_and_images_are_pinned() -> None:
    services = compose()["services"]
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    for name in ("opensearch", "redis", "postgres"):
        image = services[name]["image"]
        assert ":" in image and not image.endswith(":latest"), image


def test_env_example_points_phare_at_the_services() -> None:
    env = dict(line.split("=", 1) for line in (DEPLOY / ".env.example").read_text().splitlines()
               if line and not line.startswith("#"))
    assert env["PHARE_OPENSEARCH_URL"].startswith("http://opensearch:")
    assert env["PHARE_REDIS_URL"].startswith("redis://redis:")
    assert env["PHARE_DATABASE_URL"].startswith("postgresql+psycopg://")
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "tesseract-ocr-fra" in dockerfile and "USER" in dockerfile
