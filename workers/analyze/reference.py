"""The analyzer's version and the key of an analysis artifact (the reference data itself, its files
and fingerprint, live in ``schemas.reference``)."""

from __future__ import annotations

# 12: an agglomeration by its kind and place ("l'agglomération du Douaisis", "l'Agglo de Dinan"); a small commune
#     named through its inhabitants, mayor, town hall or as a village ("habitants de Couthenans"); a commune
#     named with its article after "de" or "à" ("du Mans", "au Pont-de-Claix"); a métropole by its largest commune
#     ("Montpellier Métropole", "la métropole de Rouen")
# 11: a small commune the text has called a commune once is that commune wherever it is named, a compound
#     commune name is a name (and its first word after it), a place before a comma is not a list item unless a
#     name follows; "artificialisées" is land take; a year after a conditional ("pourrions en 2050") or a share
#     ("100 % renouvelable en 2050") is a target
# 10: an intercommunality by its name without its kind and article ("le Pays Voironnais", "Grand Chambéry");
#     target years after a goal in any verb form ("réduites", "baissera"), "entre 2012 et 2030", "PCAET 2024-2030";
#     pieces of a curated body's name are not entities
# 9: web addresses are not theme words, a second theme and a posture need three mentions, greenhouse gases mean
#    mitigation, a short note's places named once each are examples, a wrapped line does not end a sentence
# 8: a short word in capitals amid text is an acronym, not a commune; addresses glued to their street
# 7: resemblance (families); 6: river-named départements, short notes' subjects, plural keywords; 5: scope
ANALYZER_VERSION = 12


def analysis_key(sha256: str, fingerprint: str) -> str:
    """Artifact key of an analysis: the content hash and the reference data it was computed with."""
    return f"{sha256}-{fingerprint}"
