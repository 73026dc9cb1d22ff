"""The shipped Retention Rules (``domain/retention.py`` DEFAULT_RULES), created on install and migrate when missing.

A rule is missing when no Retention Rule covers its record kind (and cohort): a rule the Virtual School Head
edited, or renamed, is never overwritten. Also the ``date_of_birth`` index the retention review's range
queries read (``governance/retention.py``).
"""

import frappe

from virtual_school.domain.retention import DEFAULT_RULES

DOCTYPE = "Retention Rule"


def ensure_retention_rules() -> list[str]:
	"""Insert each default rule whose (record kind, cohort) has no rule yet; returns the names inserted."""
	if not frappe.db.table_exists(DOCTYPE, cached=False):
		return []  # before_tests on a site not migrated since Retention Rule was added: the next migrate
	existing = {
		(row.record_kind, row.cohort or None)
		for row in frappe.get_all(DOCTYPE, fields=["record_kind", "cohort"])
	}
	inserted = []
	for rule in DEFAULT_RULES:
		cohort = rule.cohort.value if rule.cohort else None
		if (rule.record_kind.value, cohort) in existing:
			continue
		doc = frappe.get_doc(
			{
				"doctype": DOCTYPE,
				"rule_name": rule.rule_name,
				"record_kind": rule.record_kind.value,
				"cohort": cohort,
				"basis": rule.basis.value,
				"age_years": rule.age_years,
				"period_years": rule.period_years,
				"period_days": rule.period_days,
				"years_after_death": rule.years_after_death,
				"died_before_age": rule.died_before_age,
				"authority": rule.authority.value,
				"source": rule.source,
				"notes": rule.notes,
			}
		)
		if frappe.db.exists(DOCTYPE, rule.rule_name):  # the name is taken by a rule the Head re-purposed
			doc.rule_name = f"{rule.rule_name} ({rule.record_kind.value})"
		doc.insert(ignore_permissions=True)
		inserted.append(doc.name)
	frappe.db.add_index("Child", ["date_of_birth"], "date_of_birth_index")
	return inserted
