"""Move the private files attached to Virtual School Settings onto records only the Head and Managers read.

Earlier versions attached import sources (SSDA903 header and episodes, attendance returns) and the annual
reports to Virtual School Settings, which every desk role reads, so caseworkers and Finance could download
them (Frappe serves a private file to whoever may read the record it is attached to). Each annual report
becomes an Annual Report Run; SSDA903 header and episodes files become one draft Import Log per pair (in
upload order), an attendance or GIAS file a draft Import Log of its own (the team can still preview and
import them there), any other private file an Import Log marked *Moved*. Public files (a logo) stay.
"""

import re

import frappe

SETTINGS = "Virtual School Settings"
ANNUAL_REPORT = re.compile(r"annual-report-(\d{4}-\d{2})", re.IGNORECASE)


def execute():
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": SETTINGS, "is_private": 1, "is_folder": 0},
		fields=["name", "file_name", "file_url", "owner", "creation"],
		order_by="creation asc",
	)
	ssda903 = {"header_file": [], "episodes_file": []}
	for file in files:
		name = (file.file_name or file.file_url or "").lower()
		report = ANNUAL_REPORT.search(name)
		if report:
			_annual_report_run(file, report.group(1))
		elif "903" in name and "header" in name:
			ssda903["header_file"].append(file)
		elif "903" in name and "episode" in name:
			ssda903["episodes_file"].append(file)
		else:
			kind = _kind_of(name)
			_import_log(kind, [("source_file" if kind else None, file)])
	# Pair each header with the episodes file uploaded nearest to it (the demo and the desk uploaded both).
	headers, episodes = ssda903["header_file"], ssda903["episodes_file"]
	for index in range(max(len(headers), len(episodes))):
		pair = [
			(fieldname, found[index])
			for fieldname, found in (("header_file", headers), ("episodes_file", episodes))
			if index < len(found)
		]
		_import_log("SSDA903", pair)


def _kind_of(name: str) -> str | None:
	if "attendance" in name:
		return "Attendance"
	if "gias" in name or "edubase" in name:
		return "GIAS"
	return None


def _annual_report_run(file, academic_year: str) -> None:
	run = frappe.get_doc(
		{
			"doctype": "Annual Report Run",
			"academic_year": academic_year,
			"generated_by": file.owner,
			"generated_on": file.creation,
		}
	).insert(ignore_permissions=True)
	_move(file, run.doctype, run.name, "report_file")
	run.db_set("report_file", file.file_url, update_modified=False)


def _import_log(import_type: str | None, files: list[tuple[str | None, dict]]) -> None:
	"""A draft log for a known kind (it can still be previewed and imported), else one marked Moved."""
	log = frappe.get_doc(
		{
			"doctype": "Import Log",
			"import_type": import_type,
			"status": "Draft" if import_type else "Moved",
			"channel": "Upgrade",
			"result": frappe.as_json(
				{"moved_from": SETTINGS, "files": [file.file_name for _field, file in files]}
			),
		}
	).insert(ignore_permissions=True)
	for fieldname, file in files:
		_move(file, log.doctype, log.name, fieldname)
		if fieldname:
			log.db_set(fieldname, file.file_url, update_modified=False)


def _move(file, doctype: str, name: str, fieldname: str | None) -> None:
	frappe.db.set_value(
		"File",
		file.name,
		{"attached_to_doctype": doctype, "attached_to_name": name, "attached_to_field": fieldname},
		update_modified=False,
	)
