"""The 153 English local authorities, loaded from virtual_school/data/local_authorities.csv."""

import frappe

from virtual_school.domain.local_authorities import load_local_authorities


def ensure_local_authorities() -> None:
	"""Insert missing authorities and correct changed names or regions; never removes any."""
	existing = {
		row.name: row for row in frappe.get_all("Local Authority", fields=["name", "la_name", "region"])
	}
	for authority in load_local_authorities():
		current = existing.get(authority["la_code"])
		if current is None:
			frappe.get_doc({"doctype": "Local Authority", **authority}).insert(ignore_permissions=True)
		elif (current.la_name, current.region) != (authority["la_name"], authority["region"]):
			frappe.db.set_value(
				"Local Authority",
				authority["la_code"],
				{"la_name": authority["la_name"], "region": authority["region"]},
			)
