"""Build schemas/gazetteer_data/territories.csv (all of France) from the INSEE COG 2026 files.

Source: @etalab/decoupage-administratif 6.0.0 in ../shared/data/territories (COG INSEE 2026, DGCL
EPCI 2026, INSEE populations), Licence Ouverte / Open Licence (Etalab).
Run: .venv/bin/python scripts/build_gazetteer.py [../shared/data/territories]
Rows: code, level (monde|pays|region|departement|epci|commune), name, parent (level:code), population.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "schemas" / "gazetteer_data" / "territories.csv"


def _json(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def main(src: Path) -> None:
    raw = src / "etalab-decoupage-administratif-6.0.0"
    rows: list[dict[str, str]] = [{"code": "FR", "level": "pays", "name": "France", "parent": "", "population": ""},
                                  # the scope of documents about no French place (schemas.search.SCOPES)
                                  {"code": "INT", "level": "monde", "name": "International", "parent": "",
                                   "population": ""}]
    rows += [{"code": r["code"], "level": "region", "name": r["nom"], "parent": "pays:FR", "population": ""}
             for r in _json(raw / "regions.json")]
    rows += [{"code": d["code"], "level": "departement", "name": d["nom"], "parent": f"region:{d['region']}",
              "population": ""} for d in _json(raw / "departements.json")]
    communes = {c["code"]: c for c in _json(raw / "communes.json.gz") if c["type"] == "commune-actuelle"}
    epci_of: dict[str, str] = {}
    for e in _json(raw / "epci.json.gz"):
        members = [m["code"] for m in e["membres"]]
        deps = sorted({communes[m]["departement"] for m in members if m in communes})
        # an EPCI spanning départements is attached to the one holding most of its members
        main_dep = max(deps, key=lambda d: sum(communes.get(m, {}).get("departement") == d for m in members))
        rows.append({"code": e["code"], "level": "epci", "name": e["nom"], "parent": f"departement:{main_dep}",
                     "population": str(e.get("populationMunicipale") or "")})
        for m in members:
            epci_of[m] = e["code"]
    for code, c in sorted(communes.items()):
        parent = f"epci:{epci_of[code]}" if code in epci_of else f"departement:{c['departement']}"
        rows.append({"code": code, "level": "commune", "name": c["nom"], "parent": parent,
                     "population": str(c.get("population") or "")})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "level", "name", "parent", "population"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} territoires -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/territories")
