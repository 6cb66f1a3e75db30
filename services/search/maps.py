"""The vendored maps of France (régions, départements; ``web/maps/SOURCES.md``): their shapes keyed
by territory key, read once on first use, for the exploration page to colour by document counts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

_FOLDER = Path(__file__).parent / "web" / "maps"
_SVG = "{http://www.w3.org/2000/svg}"
#: the regions map names its regions; INSEE codes of the regions
_REGIONS = {"ara": "84", "bfc": "27", "bre": "53", "cvl": "24", "cor": "94", "ges": "44", "hdf": "32", "idf": "11",
            "nor": "28", "naq": "75", "occ": "76", "pdl": "52", "pac": "93"}


@dataclass(frozen=True)
class Shape:
    key: str  # territory key, "departement:38"
    path: str  # SVG path data


@dataclass(frozen=True)
class Map:
    view_box: str
    shapes: tuple[Shape, ...]


@cache
def france(level: str) -> Map:
    """The map of ``level`` (``region`` or ``departement``)."""
    root = ET.parse(_FOLDER / ("regions.svg" if level == "region" else "departements.svg")).getroot()
    shapes = []
    for path in root.iter(f"{_SVG}path"):
        code = path.get("id", "")
        code = _REGIONS.get(code, code) if level == "region" else code
        shapes.append(Shape(f"{level}:{code}", path.get("d", "")))
    return Map(root.get("viewBox", "0 0 613 585"), tuple(shapes))
