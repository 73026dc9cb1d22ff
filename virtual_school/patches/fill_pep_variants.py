"""PEPs saved before the variants (issue #23 item 3) get theirs from the child's age (peps/variants.py)."""

from virtual_school.peps.variants import fill_variants


def execute():
	fill_variants()
