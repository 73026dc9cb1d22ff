"""Exclusion words, spelled once: the two kinds of exclusion (``Exclusion.exclusion_type`` options), from the
rule module ``domain.exclusion_rules`` (the statutory day limits live there too)."""

from virtual_school.domain.exclusion_rules import ExclusionKind

SUSPENSION = ExclusionKind.SUSPENSION.value
PERMANENT = ExclusionKind.PERMANENT_EXCLUSION.value
EXCLUSION_TYPES = (SUSPENSION, PERMANENT)
