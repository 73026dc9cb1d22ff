"""Import schools from the DfE "Get Information About Schools" (GIAS) establishment extract.

Reads the CSV from a URL (``requests``) or a local file, maps rows with
``virtual_school.domain.gias_mapping`` and upserts School records by URN in set-based batches:
one query reads the fingerprints of the schools already on the site, then new and changed rows are
written with ``INSERT ... ON DUPLICATE KEY UPDATE`` in batches. Unchanged rows are not touched.
A row that cannot be mapped is rejected on its own (with its row number and reason); the rest import.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import frappe
import requests
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.background_jobs import is_job_enqueued

from virtual_school.admissions import routes
from virtual_school.domain import gias_mapping
from virtual_school.permissions import require_roles
from virtual_school.shared import settings

BATCH_SIZE = 1000
DOWNLOAD_TIMEOUT_SECONDS = 120

# School fields written from GIAS: the mapped fields, with the LA code stored in the ``la`` link.
SCHOOL_FIELDS = tuple(
	"la" if fieldname == "la_code" else fieldname
	for fieldname in gias_mapping.FINGERPRINT_FIELDS
	if fieldname not in ("urn", "la_name")
)


class GIASImportError(frappe.ValidationError):
	pass


@dataclass
class ImportSummary:
	source: str
	inserted: int = 0
	updated: int = 0
	unchanged: int = 0
	rejected: list[dict] = field(default_factory=list)

	def as_dict(self) -> dict:
		return {
			"source": self.source,
			"inserted": self.inserted,
			"updated": self.updated,
			"unchanged": self.unchanged,
			"rejected": self.rejected,
		}


def resolve_source(source: str | None = None, on_date: date | None = None) -> str:
	"""The URL or path to read: the argument, or the settings URL with ``{date}`` as yesterday."""
	source = source or settings.get().gias_source_url
	if not source:
		frappe.throw(_("Set the GIAS Source URL in Virtual School Settings."), exc=GIASImportError)
	yesterday = (on_date or date.today()) - timedelta(days=1)
	return source.replace("{date}", yesterday.strftime("%Y%m%d"))


def read_source(source: str) -> bytes:
	if source.startswith(("http://", "https://")):
		try:
			response = requests.get(source, timeout=DOWNLOAD_TIMEOUT_SECONDS)
			response.raise_for_status()
		except requests.RequestException as error:
			frappe.throw(
				_("Could not download the GIAS file from {0}: {1}").format(source, error), exc=GIASImportError
			)
		return response.content
	path = Path(source)
	if not path.is_file():
		frappe.throw(_("GIAS file {0} does not exist.").format(source), exc=GIASImportError)
	return path.read_bytes()


def import_schools(source: str | None = None, content: bytes | None = None) -> ImportSummary:
	"""Import (insert or update) schools from a GIAS extract. Returns what happened, row by row."""
	source = resolve_source(source) if content is None else (source or _("uploaded file"))
	if content is None:
		content = read_source(source)
	try:
		records, rejected_rows = gias_mapping.read_gias_csv(content)
	except gias_mapping.MalformedFile as error:
		frappe.throw(
			_("The GIAS file {0} cannot be imported: {1}").format(source, error), exc=GIASImportError
		)

	summary = ImportSummary(source=source)
	summary.rejected = [
		{"row": row.row_number, "column": row.column, "reason": row.reason} for row in rejected_rows
	]
	known_las = set(frappe.get_all("Local Authority", pluck="name"))
	records = _drop_unknown_las(records, known_las, summary)
	records = _drop_repeated_urns(records, summary)

	existing = dict(frappe.get_all("School", fields=["name", "gias_fingerprint"], as_list=True))
	to_write = []
	for record in records:
		fingerprint = gias_mapping.record_fingerprint(record)
		previous = existing.get(record["urn"], None)
		if record["urn"] not in existing:
			summary.inserted += 1
		elif previous == fingerprint:
			summary.unchanged += 1
			continue
		else:
			summary.updated += 1
		to_write.append((record, fingerprint))

	for start in range(0, len(to_write), BATCH_SIZE):
		_upsert(to_write[start : start + BATCH_SIZE])
	if to_write:
		# The upsert bypasses the School controller: derive the admission authority and route (issue #18).
		routes.refresh_school_routes()
	summary.rejected.sort(key=lambda row: row["row"])
	return summary


def _drop_unknown_las(records: list[dict], known_las: set[str], summary: ImportSummary) -> list[dict]:
	kept = []
	for record in records:
		if record.get("la_code") and record["la_code"] not in known_las:
			summary.rejected.append(
				{
					"row": record.get("row_number"),
					"column": "LA (code)",
					"reason": _("unknown local authority code {0}").format(record["la_code"]),
				}
			)
			continue
		kept.append(record)
	return kept


def _drop_repeated_urns(records: list[dict], summary: ImportSummary) -> list[dict]:
	seen: dict[str, int] = {}
	kept = []
	for record in records:
		if record["urn"] in seen:
			summary.rejected.append(
				{
					"row": record.get("row_number"),
					"column": "URN",
					"reason": _("URN {0} repeats row {1}").format(record["urn"], seen[record["urn"]]),
				}
			)
			continue
		seen[record["urn"]] = record.get("row_number")
		kept.append(record)
	return kept


def _upsert(batch: list[tuple[dict, str]]) -> None:
	"""Insert or update a batch of schools in one statement."""
	now = now_datetime()
	user = frappe.session.user
	columns = ("name", "urn", *SCHOOL_FIELDS, "gias_fingerprint", "gias_last_imported")
	insert_only = ("creation", "owner", "modified", "modified_by", "docstatus", "idx")
	rows = []
	for record, fingerprint in batch:
		values = {**record, "la": record.get("la_code")}
		rows.append(
			(
				record["urn"],
				record["urn"],
				*(values.get(fieldname) for fieldname in SCHOOL_FIELDS),
				fingerprint,
				now,
				now,
				user,
				now,
				user,
				0,
				0,
			)
		)
	all_columns = (*columns, *insert_only)
	column_sql = ", ".join(f"`{column}`" for column in all_columns)
	placeholders = "(" + ", ".join(["%s"] * len(all_columns)) + ")"
	updates = ", ".join(
		f"`{column}` = values(`{column}`)"
		for column in (*SCHOOL_FIELDS, "gias_fingerprint", "gias_last_imported", "modified", "modified_by")
	)
	frappe.db.sql(
		f"insert into `tabSchool` ({column_sql}) values {', '.join([placeholders] * len(rows))} "
		f"on duplicate key update {updates}",
		[value for row in rows for value in row],
	)


@frappe.whitelist()
def start_import(file_url: str | None = None) -> dict:
	"""Desk API: import in the background from an uploaded file or the settings URL, recorded on a new
	Import Log (the source file is kept there, not on a record every desk role reads)."""
	require_roles("System Manager", "Virtual School Head", "Virtual School Manager")
	log = frappe.get_doc(
		{"doctype": "Import Log", "import_type": "GIAS", "channel": "Desk", "source_file": file_url or None}
	).insert()
	return enqueue_import(log)


def enqueue_import(log) -> dict:
	"""Queue the GIAS import of an Import Log (its source file, else the settings URL) after this commit."""
	job_id = f"virtual_school_gias_import::{frappe.local.site}"
	if is_job_enqueued(job_id):
		frappe.throw(_("A GIAS import is already running: try again when it finishes."), exc=GIASImportError)
	content_path = None
	if log.source_file:
		content_path = frappe.get_doc("File", {"file_url": log.source_file, "is_private": 1}).get_full_path()
	log.db_set("status", "Queued")
	frappe.enqueue(
		run_import_job,
		queue="long",
		timeout=3600,
		source=content_path,
		user=frappe.session.user,
		import_log=log.name,
		job_id=job_id,
		enqueue_after_commit=True,  # the job must find the log committed
	)
	return {"queued": True, "import_log": log.name}


def run_import_job(source: str | None, user: str, import_log: str | None = None) -> None:
	"""Background job: import, record the result on the Import Log, then tell the user (realtime and a
	notification)."""
	frappe.db.savepoint("vs_gias_import")
	try:
		summary = import_schools(source=source)
	except Exception as error:
		# undo what the import wrote before recording the failure (the job's transaction stays usable)
		frappe.db.rollback(save_point="vs_gias_import")
		if import_log:
			frappe.db.set_value(
				"Import Log", import_log, {"status": "Failed", "result": str(error)}, update_modified=True
			)
			frappe.db.commit()
		raise
	if import_log:
		frappe.get_doc("Import Log", import_log).record_result(summary.as_dict())
	frappe.db.commit()
	message = _("GIAS import: {0} inserted, {1} updated, {2} unchanged, {3} rejected.").format(
		summary.inserted, summary.updated, summary.unchanged, len(summary.rejected)
	)
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"subject": message,
			"for_user": user,
			"type": "Alert",
			"document_type": "Import Log" if import_log else "School",
			"document_name": import_log,
			"email_content": "<br>".join(
				f"{_('Row')} {row['row']}: {row['column']}: {frappe.utils.escape_html(row['reason'])}"
				for row in summary.rejected[:200]
			),
		}
	).insert(ignore_permissions=True)
	frappe.publish_realtime(
		"virtual_school_gias_import", {**summary.as_dict(), "import_log": import_log}, user=user
	)
