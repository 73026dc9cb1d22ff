"""docs/data-protection.md cannot drift from the doctypes (issue #22 item 5), and the minimisation table
(item 4) names only real fields, none of them restricted.

Tier 1: reads the doctype JSON files, no site. Regenerate the document with
``python -m virtual_school.governance.dpia`` from the repository root.
"""

import copy
from pathlib import Path

from virtual_school.governance import dpia, minimisation
from virtual_school.governance.personal_data import DOCTYPES

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "regenerate: python -m virtual_school.governance.dpia (from the repository root)"
NOT_APP_DOCTYPES = {"File"}  # minimisation lists Frappe's File for the impact report's uploads


def test_every_field_of_every_app_doctype_is_classified():
	problems = dpia.classification_problems()
	assert not problems, (
		"governance/personal_data.py is out of step with the doctypes: add each field to `personal` (category) "
		"or `not_personal` (reason), then " + REGENERATE + "\n" + "\n".join(problems)
	)


def test_the_document_is_current():
	assert dpia.OUTPUT.exists(), REGENERATE
	assert dpia.OUTPUT.read_text(encoding="utf-8") == dpia.render(), (
		f"docs/data-protection.md is stale: {REGENERATE}"
	)


def test_a_new_field_or_doctype_without_an_entry_is_reported():
	doctypes = copy.deepcopy(dpia.load_doctypes())
	doctypes["Child"]["fields"].append({"fieldname": "favourite_colour", "fieldtype": "Data"})
	doctypes["Sibling"] = {"doctype": "DocType", "name": "Sibling", "fields": [], "permissions": []}
	problems = dpia.classification_problems(doctypes)
	assert "Child.favourite_colour: not classified (personal with a category, or not_personal)" in problems
	assert "Sibling: no entry in governance/personal_data.py DOCTYPES" in problems
	del doctypes["Child"]["fields"][-1]
	doctypes["Child"]["fields"] = [
		df for df in doctypes["Child"]["fields"] if df["fieldname"] != "carer_name"
	]
	assert "Child.carer_name: classified but the doctype has no such field" in dpia.classification_problems(
		doctypes
	)


def test_every_doctype_of_the_app_is_read():
	on_disk = {
		path.parent.name for path in dpia.DOCTYPE_DIR.glob("*/*.json") if path.stem == path.parent.name
	}
	assert len(dpia.load_doctypes()) == len(on_disk) > 30
	assert "Child" in DOCTYPES and "carer_name" in DOCTYPES["Child"].personal["contact details"]


def test_readers_come_from_docperms_and_permlevels():
	doctypes = dpia.load_doctypes()
	assert "Virtual School Finance" in dpia.readers("Child", 0, doctypes)
	assert "Virtual School Finance" not in dpia.readers("Child", 1, doctypes)
	# a child table follows its parent: Care Episode rows are read as the Child is
	assert dpia.readers("Care Episode", 1, doctypes) == dpia.readers("Child", 1, doctypes)
	assert "Child" in dpia.row_rules() and "PP Plus Claim" in dpia.row_rules()


def test_the_minimisation_table_names_real_fields_and_no_restricted_one():
	doctypes = dpia.load_doctypes()
	for table in (minimisation.PORTAL_PAGES, minimisation.DOCUMENTS):
		for key, shown in table.items():
			for doctype, fieldname in sorted(minimisation.fields_shown(shown)):
				if doctype in NOT_APP_DOCTYPES or fieldname == "name":
					continue
				assert doctype in doctypes, f"{key}: no doctype {doctype}"
				fields = {df["fieldname"]: df for df in doctypes[doctype]["fields"]}
				assert fieldname in fields, f"{key}: {doctype} has no field {fieldname}"
				level = int(fields[fieldname].get("permlevel") or 0)
				assert level == 0, f"{key} shows the restricted (level {level}) field {doctype}.{fieldname}"
			for condition in shown.conditions:
				doctype, fieldname = condition.split(".", 1)
				assert (doctype, fieldname) in minimisation.fields_shown(shown), (
					f"{key}: condition on {condition}"
				)


def test_the_readme_carries_the_minimisation_table():
	readme = (ROOT / "README.md").read_text(encoding="utf-8")
	assert minimisation.markdown() in readme, (
		"README.md's section 'What the portal and letters show' must carry minimisation.markdown() verbatim: "
		"python -c 'from virtual_school.governance import minimisation; print(minimisation.markdown())'"
	)
