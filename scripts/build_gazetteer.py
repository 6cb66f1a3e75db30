"""Build workers/analyze/data/territories.csv from the INSEE COG 2026 files in ../shared/data.

Source: @etalab/decoupage-administratif 6.0.0 (COG INSEE 2026, DGCL EPCI 2026), Licence Ouverte.
Run: python scripts/build_gazetteer.py [../shared/data/territories]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "workers" / "analyze" / "data" / "territories.csv"


def main(src: Path) -> None:
    derived, raw = src / "derived", src / "etalab-decoupage-administratif-6.0.0"
    regions = {r["code"]: r["nom"] for r in json.loads((raw / "regions.json").read_text())}
    rows: list[dict[str, str]] = [{"code": "FR", "level": "pays", "name": "France", "parent": "", "population": ""}]
    rows += [{"code": c, "level": "region", "name": n, "parent": "pays:FR", "population": ""}
             for c, n in regions.items()]
    for d in json.loads((raw / "departements.json").read_text()):
        rows.append({"code": d["code"], "level": "departement", "name": d["nom"],
                     "parent": f"region:{d['region']}", "population": ""})
    with (derived / "epci_ara_hautes_alpes.csv").open() as fh:
        for e in csv.DictReader(fh):
            dep = e["departements"].split("|")[0]
            rows.append({"code": e["epci_siren"], "level": "epci", "name": e["nom"], "parent": f"departement:{dep}",
                         "population": e["population_municipale"]})
    with (derived / "communes_ara_hautes_alpes.csv").open() as fh:
        for c in csv.DictReader(fh):
            if c["type"] != "commune-actuelle":
                continue
            rows.append({"code": c["code_insee"], "level": "commune", "name": c["nom"],
                         "parent": f"epci:{c['epci_siren']}" if c["epci_siren"] else f"departement:{c['departement']}",
                         "population": c["population"]})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "level", "name", "parent", "population"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} territoires -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/territories")
