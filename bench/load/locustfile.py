"""What 20 people of the collective do at once: search (with filters, facets, pages), open documents,
read a page, use suggestions. Run by bench/load.py."""

from __future__ import annotations

import random

from locust import HttpUser, between, task

QUERIES = ["imperméabilisation des sols", "recyclage des friches", "risques d'inondation", "PPRI", "ZAN",
           "plan local d'urbanisme", "neutralité carbone", "mobilité douce", "gestion de l'eau", "trame verte",
           "adaptation climat", "énergie renouvelable", "paysage montagne", "données géographiques"]
THEMES = ["climat", "energie", "eau", "risques-naturels", "sols-foncier", "mobilites"]


class Reader(HttpUser):
    wait_time = between(0.5, 2)

    @task(6)
    def search_page(self) -> None:
        params = {"q": random.choice(QUERIES)}
        if random.random() < 0.4:
            params["theme"] = random.choice(THEMES)
        if random.random() < 0.2:
            params["territory"] = "departement:38"
        if random.random() < 0.2:
            params["page"] = str(random.randint(2, 5))
        self.client.get("/recherche", params=params, name="/recherche")

    def on_start(self) -> None:
        # documents with a full record (the real corpus); the generated ones are in the index only
        self.documents = [h["id"] for h in self.client.get("/api/v1/latest", params={"limit": 30}).json()]

    @task(3)
    def search_api(self) -> None:
        self.client.get("/api/v1/search", params={"q": random.choice(QUERIES), "limit": 10}, name="/api/v1/search")

    @task(2)
    def document(self) -> None:
        doc_id = random.choice(self.documents)
        self.client.get(f"/documents/{doc_id}", name="/documents/{id}")
        self.client.get(f"/documents/{doc_id}/pages/1", name="/documents/{id}/pages/{n}")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(2)
    def suggest(self) -> None:
        self.client.get("/api/v1/suggest", params={"q": random.choice(QUERIES)[:4]}, name="/api/v1/suggest")
