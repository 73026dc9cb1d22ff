# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

"""Import Log: one record per import run (SSDA903, attendance, GIAS), holding that run's source files.

Import sources carry children's dates of birth, UPNs and placement postcodes. Frappe lets anyone who may read
the record a File is attached to download it (``File.has_permission``), so the sources live here, on a
record only the Virtual School Head and Managers read (issue #17), never on Virtual School Settings, which
every desk role reads. Desk imports, a school's portal upload and the bench command all leave one log.
"""

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, now

from virtual_school.imports.gias import enqueue_import
from virtual_school.permissions import require_roles
from virtual_school.setup import roles

DOCTYPE = "Import Log"
IMPORT_ROLES = ("System Manager", roles.VIRTUAL_SCHOOL_HEAD, roles.VIRTUAL_SCHOOL_MANAGER)
FILE_FIELDS = ("header_file", "episodes_file", "reviews_file", "source_file")
# SSDA903: the header and episodes CSV files, or the XML export as the Source File (check_ready)
REQUIRED_FILES = {
	"SSDA903": ("header_file", "episodes_file"),
	"Attendance": ("source_file",),
	"GIAS": (),  # without a file the extract is downloaded from the settings URL
}
# Each importer plans a run from a log (``plan_log(log) -> (preview, apply)``): named, not imported, because
# the importers create and run logs themselves.
PLANNERS = {
	"SSDA903": "virtual_school.imports.ssda903.plan_log",
	"Attendance": "virtual_school.attendance.services.plan_log",
}
INPUT_FIELDS = ("import_type", *FILE_FIELDS, "academic_year", "school")


class ImportLog(Document):
	def validate(self):
		if not self.import_type and self.status != "Moved":
			frappe.throw(_("Choose what to import."), title=_("Missing Value"))
		previous = self.get_doc_before_save()
		if previous and previous.status != "Draft":
			changed = [field for field in INPUT_FIELDS if self.get(field) != previous.get(field)]
			if changed:
				frappe.throw(
					_("This import has run: its files and settings cannot change. Start a new Import Log."),
					title=_("Import Already Run"),
				)
		for fieldname in FILE_FIELDS:
			if self.get(fieldname) and (not previous or previous.get(fieldname) != self.get(fieldname)):
				self._check_source_file(fieldname)

	def _check_source_file(self, fieldname: str) -> None:
		"""A source must be a private file the user may open already.

		Frappe's ``attach_files_to_document`` (on_update of every doctype) attaches whatever File an Attach
		field's URL names to the record, re-pointing an unattached one or copying the row. Naming the URL of a
		file one cannot open would then let the log's readers download it; a public file would be readable by
		anyone with its URL.
		"""
		label = _(self.meta.get_label(fieldname))
		url = self.get(fieldname)
		if not url.startswith("/private/files/"):
			frappe.throw(
				_("{0}: upload the file as private (children's records).").format(label),
				title=_("Private File Needed"),
			)
		for name in frappe.get_all("File", filters={"file_url": url, "is_private": 1}, pluck="name"):
			if frappe.get_doc("File", name).is_downloadable():
				return
		frappe.throw(_("{0}: you cannot open that file.").format(label), frappe.PermissionError)

	def source_bytes(self, fieldname: str) -> bytes:
		"""The content of one source file of this log (read as the code: the log's permission was checked)."""
		url = self.get(fieldname)
		if not url:
			frappe.throw(
				_("Attach the {0} first.").format(_(self.meta.get_label(fieldname))), title=_("Missing File")
			)
		content = frappe.get_doc("File", {"file_url": url, "is_private": 1}).get_content()
		return content if isinstance(content, bytes) else content.encode()

	def check_ready(self) -> None:
		missing = [field for field in REQUIRED_FILES.get(self.import_type, ()) if not self.get(field)]
		if self.import_type == "SSDA903" and self.source_file:
			missing = []  # the XML export holds the header, the episodes and the reviews
		if missing:
			frappe.throw(
				_("Attach {0} first.").format(", ".join(_(self.meta.get_label(field)) for field in missing)),
				title=_("Missing File"),
			)
		if self.import_type == "Attendance" and not self.academic_year:
			frappe.throw(_("Academic Year is needed for an attendance import."), title=_("Missing Value"))

	def plan(self):
		"""What this log's files would import: (preview dict, apply callable), from the importer of its kind."""
		self.check_ready()
		if self.import_type not in PLANNERS:
			frappe.throw(_("A GIAS import has no preview: it runs in the background."), title=_("No Preview"))
		return frappe.get_attr(PLANNERS[self.import_type])(self)

	def record_result(self, result: dict, status: str = "Imported") -> None:
		"""Write who ran the import, when, and what it did (counts and the rows' details)."""
		self.db_set(
			{
				"status": status,
				"imported_by": frappe.session.user,
				"imported_on": now(),
				**counts_of(result),
				"summary": result.get("summary"),
				"result": json.dumps(result, indent=1, default=str),
			}
		)


def counts_of(result: dict) -> dict:
	"""The four counts of any importer's summary (SSDA903 lists, attendance counts, GIAS numbers)."""
	if "counts" in result:  # attendance
		counts = result["counts"]
		created, updated, unchanged, rejected = (
			counts.get(key, 0) for key in ("create", "update", "unchanged", "rejected")
		)
	else:

		def number(key):
			value = result.get(key, 0)
			return len(value) if isinstance(value, list | tuple) else cint(value)

		created = number("created") if "created" in result else number("inserted")
		updated, unchanged, rejected = number("updated"), number("unchanged"), number("rejected")
	return {
		"created_count": created,
		"updated_count": updated,
		"unchanged_count": unchanged,
		"rejected_count": rejected,
	}


def _log_for_import(name: str) -> ImportLog:
	require_roles(*IMPORT_ROLES)
	log = frappe.get_doc(DOCTYPE, name)
	log.check_permission("write")
	return log


@frappe.whitelist()
def preview(name: str) -> dict:
	"""Desk: what running this log's import would do, writing nothing."""
	return _log_for_import(name).plan()[0]


@frappe.whitelist(methods=["POST"])
def run(name: str) -> dict:
	"""Desk: run this log's import once (a second run needs a new log, so each log is one run)."""
	log = _log_for_import(name)
	frappe.db.get_value(DOCTYPE, name, "status", for_update=True)  # two clicks queue; the second is refused
	log.reload()
	if log.status != "Draft":
		frappe.throw(
			_("This import has already run ({0}). Start a new Import Log.").format(_(log.status)),
			title=_("Import Already Run"),
		)
	if log.import_type == "GIAS":
		return enqueue_import(log)
	_preview, apply = log.plan()
	result = apply()
	log.record_result(result)
	return result


def new_log(import_type: str, channel: str, **values) -> ImportLog:
	"""A log created by the code (portal upload, bench, legacy endpoints), after its caller's own checks."""
	log = frappe.get_doc({"doctype": DOCTYPE, "import_type": import_type, "channel": channel, **values})
	log.insert(ignore_permissions=True)
	return log


def attach_source(log: ImportLog, fieldname: str, file_name: str, content: bytes) -> str:
	"""Save a source's content as a private File on the log (the portal's text, the bench's files)."""
	file_doc = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"content": content,
			"is_private": 1,
			"attached_to_doctype": DOCTYPE,
			"attached_to_name": log.name,
			"attached_to_field": fieldname,
		}
	).insert(ignore_permissions=True)
	log.db_set(fieldname, file_doc.file_url)
	return file_doc.file_url
