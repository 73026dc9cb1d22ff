"""Attendance on the site: weekly records per child and school, imports, summaries and the daily flags.

The measures and the file format are ``virtual_school.domain.attendance`` (no Frappe). This module adds
what needs the site: which children a UPN names, whether they were on the school's roll that week, the
calendar's terms, and the writes. A desk import (Head, Manager) and a school's portal upload take the same
path (``plan_import`` then ``apply_plan``): one validation, a preview before anything is written, and all
the valid rows written in the request's one transaction (an error rolls all of them back).
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import NamedTuple

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import getdate, today
from pypika import Table
from pypika.terms import Field, Parameter

from virtual_school.attendance.vocabulary import (
	DESK_IMPORT,
	MIN_SESSIONS_TO_FLAG,
	PORTAL_UPLOAD,
	SOURCES,
	flagged,
	matching_exclusion,
	persistently_absent,
)
from virtual_school.calendar.clocks import HALF_TERMS_CACHE_KEY, count_days
from virtual_school.children.vocabulary import ACTIVE, on_roll_during, on_roll_on, to_sql
from virtual_school.domain import attendance as rules
from virtual_school.domain.school_days import DayKind, academic_year_bounds
from virtual_school.escalations.services import open_escalation, opened_names
from virtual_school.permissions import require_roles
from virtual_school.portal.pages import require_portal_user
from virtual_school.setup import roles
from virtual_school.shared import settings
from virtual_school.virtual_school.doctype.import_log import import_log

CHILD = Table("tabChild").as_("c")  # a plain table: DocType() needs a site at import time

DOCTYPE = "Attendance Record"
COUNT_FIELDS = {
	"possible": "possible_sessions",
	"attended": "sessions_attended",
	"authorised": "authorised_absence",
	"unauthorised": "unauthorised_absence",
	"suspended": "suspension_sessions",
}
PREVIEW_ROWS = 500
IMPORT_ROLES = ("System Manager", roles.VIRTUAL_SCHOOL_HEAD, roles.VIRTUAL_SCHOOL_MANAGER)


def record_name(child: str, school: str, week_starting) -> str:
	return f"ATT-{child}-{school}-{getdate(week_starting).isoformat()}"


def half_terms() -> tuple[tuple[str, date, date], ...]:
	"""The calendar's named terms (cached; cleared with the school calendar, see clocks.py)."""
	return frappe.cache.get_value(HALF_TERMS_CACHE_KEY, generator=_load_half_terms)


def _load_half_terms() -> tuple[tuple[str, date, date], ...]:
	rows = frappe.get_all(
		"School Calendar Term",
		filters={"parenttype": "School Calendar"},
		fields=["term_name", "start_date", "end_date"],
		order_by="start_date",
	)
	return tuple((row.term_name, getdate(row.start_date), getdate(row.end_date)) for row in rows)


def current_period(on_date: date | str | None = None) -> tuple[str, str]:
	"""(academic year, term) of the school week containing ``on_date``."""
	day = getdate(on_date or today())
	monday = day - timedelta(days=day.weekday())
	return rules.week_academic_year(monday), rules.term_for_week(monday, half_terms())


def counts_of(record) -> rules.SessionCounts:
	return rules.SessionCounts(**{key: int(record.get(field) or 0) for key, field in COUNT_FIELDS.items()})


def on_roll_query(children: list[str], school: str, first_day: date, last_day: date) -> dict[str, list]:
	"""Each child's placements at ``school`` overlapping the period: {child: [(start, end or None)]}."""
	placement = frappe.qb.DocType("Education Placement")
	found: dict[str, list] = {}
	for row in (
		frappe.qb.from_(placement)
		.select(placement.child, placement.start_date, placement.end_date)
		.where(
			placement.child.isin(children or [""])
			& (placement.school == school)
			& on_roll_during(placement, first_day, last_day)
		)
		.run(as_dict=True)
	):
		found.setdefault(row.child, []).append(
			(getdate(row.start_date), row.end_date and getdate(row.end_date))
		)
	return found


def _on_roll(spans: list, week_starting: date) -> bool:
	friday = week_starting + timedelta(days=4)
	return any(start <= friday and (end is None or end >= week_starting) for start, end in spans)


def validate_record(doc) -> list[str]:
	"""What is wrong with a desk-entered record (empty when it can be saved); sets the derived fields."""
	problems = []
	week = getdate(doc.week_starting)
	if week.weekday() != 0:
		problems.append(
			_("Week Starting must be a Monday; {0} is a {1}.").format(
				frappe.utils.formatdate(week), _(week.strftime("%A"))
			)
		)
	if week > getdate(today()):
		problems.append(_("The week starting {0} has not begun yet.").format(frappe.utils.formatdate(week)))
	if doc.session_codes:
		try:
			counts = rules.counts_from_codes(doc.session_codes)
		except ValueError as error:
			return [_("Session Codes: {0}").format(str(error))]
		for key, field in COUNT_FIELDS.items():
			doc.set(field, getattr(counts, key))
	counts = counts_of(doc)
	problems += [reason for _field, reason in counts.problems()]
	if counts.possible > rules.MAX_SESSIONS_PER_WEEK:
		problems.append(
			_("A week has at most {0} possible sessions (five days, morning and afternoon).").format(
				rules.MAX_SESSIONS_PER_WEEK
			)
		)
	if (
		doc.child
		and doc.school
		and not _on_roll(
			on_roll_query([doc.child], doc.school, week, week + timedelta(days=4)).get(doc.child, []), week
		)
	):
		problems.append(
			_("{0} is not on the roll of {1} in the week starting {2} (no education placement).").format(
				doc.child_name or doc.child, doc.school_name or doc.school, frappe.utils.formatdate(week)
			)
		)
	doc.academic_year = rules.week_academic_year(week)
	doc.term = rules.term_for_week(week, half_terms())
	doc.attendance_percent = rules.attendance_percent(counts.possible, counts.attended)
	return problems


# --- import ----------------------------------------------------------------------------------------------


def plan_import(
	content: bytes, academic_year: str, school: str | None = None, allowed_schools: list[str] | None = None
) -> dict:
	"""What importing an attendance file would do, writing nothing.

	``school``: the school the file is from; without it every row needs a URN column. ``allowed_schools``
	(portal uploads) restricts rows to those schools. A pupil must be a child of the virtual school on the
	school's roll that week; the message is the same whether or not the UPN exists anywhere else.
	"""
	try:
		academic_year_bounds(academic_year)
	except ValueError as error:
		frappe.throw(str(error), title=_("Invalid Academic Year"))
	known_la_codes = set(frappe.get_all("Local Authority", pluck="name"))
	try:
		weeks, rejected_rows = rules.read_attendance_csv(
			content, academic_year, getdate(today()), known_la_codes
		)
	except rules.MalformedFile as error:
		frappe.throw(
			_("The attendance file cannot be imported: {0}").format(str(error)), title=_("Malformed File")
		)
	rejected = [row.as_dict() for row in rejected_rows]

	def reject(week: rules.WeekReturn, column: str | None, reason: str) -> None:
		rejected.append({"upn": week.upn, "row": week.row_number, "column": column, "reason": reason})

	if school is None and any(week.urn is None for week in weeks):
		frappe.throw(_("Choose the school the file is from, or give every row a URN."))
	school_names = dict(
		frappe.get_all(
			"School",
			filters={"name": ["in", list({school, *(w.urn for w in weeks if w.urn)} - {None}) or [""]]},
			fields=["name", "school_name"],
			as_list=True,
		)
	)
	children_by_upn: dict[str, list] = {}
	for child in frappe.get_all(
		"Child",
		filters={"upn": ["in", list({week.upn for week in weeks}) or [""]]},
		fields=["name", "upn", "full_name", "cohort"],
	):
		children_by_upn.setdefault(child.upn, []).append(child)

	first_day, last_day = academic_year_bounds(academic_year)
	by_school: dict[str, list] = {}
	for week in weeks:
		week_school = week.urn or school
		if week.urn and school and week.urn != school:
			reject(
				week, "URN", _("URN {0} is not the school this file is for ({1}).").format(week.urn, school)
			)
		elif week_school not in school_names or (
			allowed_schools is not None and week_school not in allowed_schools
		):
			reject(week, "URN", _("{0} is not a school you can send attendance for.").format(week_school))
		else:
			by_school.setdefault(week_school, []).append(week)

	candidates = []
	for week_school, school_weeks in by_school.items():
		children = [child.name for week in school_weeks for child in children_by_upn.get(week.upn, [])]
		on_roll = on_roll_query(children, week_school, first_day - timedelta(days=7), last_day)
		for week in school_weeks:
			matches = [
				child
				for child in children_by_upn.get(week.upn, [])
				if _on_roll(on_roll.get(child.name, []), week.week_starting)
			]
			if len(matches) != 1:
				reject(
					week,
					"UPN",
					_(
						"No child of the virtual school with this UPN is on the roll of {0} in the week starting {1}."
					).format(school_names[week_school], frappe.utils.formatdate(week.week_starting))
					if not matches
					else _(
						"This UPN belongs to more than one child record: ask the virtual school to merge them."
					),
				)
				continue
			candidates.append(record_row(week, matches[0], week_school, school_names[week_school]))

	existing = {
		row.name: row
		for row in frappe.get_all(
			DOCTYPE,
			filters={"name": ["in", [row["name"] for row in candidates] or [""]]},
			fields=["name", "session_codes", *COUNT_FIELDS.values()],
		)
	}
	plan = {"create": [], "update": [], "unchanged": [], "rejected": sorted(rejected, key=_row_order)}
	for row in candidates:
		found = existing.get(row["name"])
		if not found:
			plan["create"].append(row)
		elif all(int(found.get(field) or 0) == row[field] for field in COUNT_FIELDS.values()) and (
			(found.session_codes or None) == row["session_codes"]
		):
			plan["unchanged"].append(row)
		else:
			plan["update"].append(row)
	return plan


def _row_order(row: dict) -> tuple:
	return (row.get("row") or 0, row.get("column") or "")


def record_row(week: rules.WeekReturn, child, school: str, school_name: str) -> dict:
	"""An Attendance Record's values for a valid week of a child (name, full_name, upn, cohort) at a school."""
	counts = week.counts
	return {
		"row": week.row_number,
		"name": record_name(child.name, school, week.week_starting),
		"child": child.name,
		"child_name": child.full_name,
		"upn": child.upn,
		"cohort": child.cohort,
		"school": school,
		"school_name": school_name,
		"week_starting": week.week_starting,
		"academic_year": week.academic_year,
		"term": rules.term_for_week(week.week_starting, half_terms()),
		"session_codes": week.codes,
		"attendance_percent": rules.attendance_percent(counts.possible, counts.attended),
		**{field: getattr(counts, key) for key, field in COUNT_FIELDS.items()},
	}


_WRITTEN_FIELDS = (
	"child",
	"child_name",
	"upn",
	"cohort",
	"school",
	"school_name",
	"week_starting",
	"academic_year",
	"term",
	"session_codes",
	"attendance_percent",
	*COUNT_FIELDS.values(),
)


def apply_plan(plan: dict, source: str) -> dict:
	"""Write a plan: new weeks in bulk, changed weeks through the document (so the change is versioned)."""
	if source not in SOURCES:
		raise ValueError(source)
	now, user = frappe.utils.now(), frappe.session.user
	if plan["create"]:
		frappe.db.bulk_insert(
			DOCTYPE,
			("name", "owner", "modified_by", "creation", "modified", "docstatus", "source", *_WRITTEN_FIELDS),
			[
				(row["name"], user, user, now, now, 0, source, *(row[field] for field in _WRITTEN_FIELDS))
				for row in plan["create"]
			],
			chunk_size=5000,
		)
	added, removed = list(plan["create"]), []
	for row in plan["update"]:
		doc = frappe.get_doc(DOCTYPE, row["name"], for_update=True)
		doc.update({field: row[field] for field in (*COUNT_FIELDS.values(), "session_codes")})
		doc.source = source
		doc.flags.ignore_permissions = True
		doc.flags.skip_attendance_totals = True  # updated once below for the whole plan
		doc.save(ignore_version=False)  # a correction is always versioned (Frappe skips versions in tests)
		added.append(doc)
		removed.append(doc.get_doc_before_save())
	refresh_totals(added, removed)
	return summary_of(plan)


# --- the maintained totals -------------------------------------------------------------------------------
#
# "Attendance Term Total" holds, per (academic year, term, child, school), the sums of the child's weekly
# records there; "Attendance Week Total", per (academic year, term, week, school), the sums of the school's
# records of the week (every child there). Every write of Attendance Record brings them up to date
# (``refresh_totals``): ``apply_plan`` (imports, portal uploads: once per plan), the Attendance Record
# controller (desk, Data Import, REST: on_update, after_delete) and the bulk generator (a rebuild per
# academic year, as a migrate on a site without them). The reports read ~160,000 term rows a term instead
# of ~1.66 M weeks, the chart ~270,000 week rows (docs/benchmarks.md).
#
# Concurrency (REPEATABLE READ). No write reads the records to total them: rewriting a child's terms or a
# school's week from its records is a locking read (insert ... select) of index ranges next to the ones
# another upload is inserting into at the same time (another school's children and weeks sit beside them
# in every index), so two uploads at once deadlocked. Each write instead adds its own difference (its
# records' values as written minus their values before) to the rows it is counted in: one upsert per table,
# in name order, locking only those totals rows (two writers of one row queue on it; different schools,
# weeks and children never wait for each other); rows a write leaves without records are deleted by name.
# Migrate and the bulk generator rebuild them from the records (``rebuild_attendance_totals``).

TOTALS = "Attendance Term Total"
WEEK_TOTALS = "Attendance Week Total"
_TOTALS_CHUNK = 1000
_SUM_COLUMNS = tuple(COUNT_FIELDS.values())
_SUMS = ", ".join(f"coalesce(sum({column}), 0)" for column in _SUM_COLUMNS) + ", count(*)"
_STANDARD = "now(6), now(6), 'Administrator', 'Administrator', 0, 0"  # creation ... idx


class _Totals(NamedTuple):
	key: tuple[str, ...]  # the key columns, in the order of the name
	count: str  # the column counting the records
	group_by: str  # the key, in the order of an index of Attendance Record


_TOTALS_TABLES = {
	TOTALS: _Totals(
		("academic_year", "term", "child", "school"), "weeks", "academic_year, child, school, term"
	),
	WEEK_TOTALS: _Totals(
		("academic_year", "term", "week_starting", "school"),
		"children",  # one record per child, school and week
		# the order of Attendance Record's academic_year_week_sessions_index: a rebuild reads the records in
		# it (~10 s at national scale, 1.66 M records) instead of grouping a table scan on disk (~40 s)
		"academic_year, week_starting, term, school",
	),
}


def _key_of(table: _Totals, record) -> list | None:
	"""The key of the totals row ``record`` (an Attendance Record's values) is counted in, in the order of
	its name; None when the record lacks one (only the term may be empty)."""
	values = [record.get(column) or None for column in table.key]
	if not all(value for column, value in zip(table.key, values, strict=True) if column != "term"):
		return None
	if "week_starting" in table.key:
		position = table.key.index("week_starting")
		values[position] = getdate(values[position])
	return values


def _insert_totals(doctype: str, where: str, values: dict) -> None:
	"""Insert the sums of the records matching ``where`` (columns common to both tables), grouped by the
	table's key (the rebuild: the matching totals rows were just deleted)."""
	table = _TOTALS_TABLES[doctype]
	key = ", ".join(table.key)
	name = "concat_ws('/', " + ", ".join("coalesce(term, '')" if c == "term" else c for c in table.key) + ")"
	frappe.db.sql(
		f"""insert into `tab{doctype}` (name, creation, modified, owner, modified_by, docstatus, idx,
			{key}, {", ".join(_SUM_COLUMNS)}, {table.count})
		select {name}, {_STANDARD}, {key}, {_SUMS}
		from `tab{DOCTYPE}` where {where}
		group by {table.group_by}""",
		values,
	)


def _add_to_totals(doctype: str, added: list, removed: list) -> None:
	"""Add to the totals rows of ``doctype`` the records' values as written and subtract their values
	before (one upsert, in name order); delete the rows left without records."""
	table = _TOTALS_TABLES[doctype]
	rows: dict[str, list] = {}
	for sign, records in ((1, added), (-1, removed)):
		for record in records:
			key = _key_of(table, record)
			if not key:
				continue
			# the name the rebuild gives the row: concat_ws('/', …) of the key, an empty term as ''
			name = "/".join(str(value or "") for value in key)
			row = rows.get(name)
			if row is None:
				row = rows[name] = [name, *key, *(0 for _column in _SUM_COLUMNS), 0]
			for position, column in enumerate(_SUM_COLUMNS, start=1 + len(table.key)):
				row[position] += sign * int(record.get(column) or 0)
			row[-1] += sign
	changed = [row for _name, row in sorted(rows.items()) if any(row[1 + len(table.key) :])]
	columns = (*table.key, *_SUM_COLUMNS, table.count)
	update = ", ".join(
		[
			"modified = values(modified)",
			*(f"{column} = {column} + values({column})" for column in columns[len(table.key) :]),
		]
	)
	for start in range(0, len(changed), _TOTALS_CHUNK):
		chunk = changed[start : start + _TOTALS_CHUNK]
		placeholders = ", ".join([f"(%s, {_STANDARD}, {', '.join(['%s'] * len(columns))})"] * len(chunk))
		frappe.db.sql(
			f"""insert into `tab{doctype}` (name, creation, modified, owner, modified_by, docstatus, idx,
				{", ".join(columns)})
			values {placeholders}
			on duplicate key update {update}""",
			[value for row in chunk for value in row],
		)
	emptied = [row[0] for row in changed if row[-1] < 0]
	for start in range(0, len(emptied), _TOTALS_CHUNK):
		frappe.db.sql(
			f"delete from `tab{doctype}` where name in %(names)s and {table.count} <= 0",
			{"names": emptied[start : start + _TOTALS_CHUNK]},
		)


def refresh_totals(added=(), removed=()) -> None:
	"""Bring the totals up to date after a write of Attendance Records.

	``added``: the records' values as written (inserted or saved); ``removed``: their values before the
	write (a saved record's values before the save, a deleted record). Documents or dicts with
	academic_year, term, child, week_starting, school and the counts; ``None`` entries are skipped. Only
	the totals these records are counted in change: a school's upload touches its own weeks and its
	children's terms, never another school's week.
	"""
	added = [record for record in added if record is not None and record.get("academic_year")]
	removed = [record for record in removed if record is not None and record.get("academic_year")]
	for doctype in (TOTALS, WEEK_TOTALS):  # always in this order: writers lock the tables alike
		_add_to_totals(doctype, added, removed)


def rebuild_attendance_totals(academic_years: list[str] | None = None, doctypes=(TOTALS, WEEK_TOTALS)) -> int:
	"""Rewrite the totals (per term and per week) of the whole site, or of these academic years, from the
	records: one delete and one insert ... select ... group by each (migrate and the bulk generator, with no
	other writer at the same time). Returns the number of term total rows."""
	for doctype in doctypes:
		for where, values in (
			[("1 = 1", {})]
			if academic_years is None
			else [("academic_year = %(academic_year)s", {"academic_year": year}) for year in academic_years]
		):
			frappe.db.sql(f"delete from `tab{doctype}` where {where}", values)
			_insert_totals(doctype, where, values)
	return frappe.db.count(TOTALS)


def ensure_attendance_totals() -> bool:
	"""On migrate: build the totals of a site that has records but no totals yet (e.g. after an upgrade);
	each totals table separately (a site upgraded from the term totals gets the week totals)."""
	if not frappe.db.table_exists(DOCTYPE) or not frappe.db.sql(f"select 1 from `tab{DOCTYPE}` limit 1"):
		return False
	missing = [
		doctype
		for doctype in (TOTALS, WEEK_TOTALS)
		if frappe.db.table_exists(doctype) and not frappe.db.sql(f"select 1 from `tab{doctype}` limit 1")
	]
	if missing:
		rebuild_attendance_totals(doctypes=missing)
	return bool(missing)


def summary_of(plan: dict, preview_rows: int = PREVIEW_ROWS) -> dict:
	"""Counts and the first rows of each list, for the preview and result dialogs (JSON-friendly)."""

	def brief(row: dict) -> dict:
		return {
			"row": row["row"],
			"upn": row["upn"],
			"child_name": row["child_name"],
			"school": row["school"],
			"week_starting": str(row["week_starting"]),
			"attendance_percent": row["attendance_percent"],
		}

	return {
		"counts": {kind: len(plan[kind]) for kind in ("create", "update", "unchanged", "rejected")},
		"create": [brief(row) for row in plan["create"][:preview_rows]],
		"update": [brief(row) for row in plan["update"][:preview_rows]],
		"rejected": plan["rejected"][:preview_rows],
	}


def _file_bytes(file_url: str) -> bytes:
	file_doc = frappe.get_doc("File", {"file_url": file_url})
	file_doc.check_permission("read")
	content = file_doc.get_content()
	return content if isinstance(content, bytes) else content.encode()


@frappe.whitelist()
def preview_file(file_url: str, academic_year: str, school: str | None = None) -> dict:
	"""Desk: what importing an uploaded attendance file would do."""
	require_roles(*IMPORT_ROLES)
	return summary_of(plan_import(_file_bytes(file_url), academic_year, school or None))


def plan_log(log) -> tuple:
	"""An Import Log's attendance run: (preview, apply)."""
	plan = plan_import(log.source_bytes("source_file"), log.academic_year, log.school or None)
	return summary_of(plan), lambda: apply_plan(plan, DESK_IMPORT)


@frappe.whitelist(methods=["POST"])
def import_file(file_url: str, academic_year: str, school: str | None = None) -> dict:
	"""Desk: import an uploaded attendance file (the valid rows; the rejected ones are listed), recorded on
	a new Import Log that keeps the file where only the Head and Managers may open it."""
	require_roles(*IMPORT_ROLES)
	log = frappe.get_doc(
		{
			"doctype": "Import Log",
			"import_type": "Attendance",
			"channel": "Desk",
			"source_file": file_url,
			"academic_year": academic_year,
			"school": school or None,
		}
	).insert()
	return import_log.run(log.name)


@frappe.whitelist(methods=["POST"])
def portal_upload(csv_text: str, school: str, academic_year: str | None = None, confirm: int = 0) -> dict:
	"""School portal: preview (``confirm=0``) or import (``confirm=1``) a school's weekly attendance CSV.

	The school must be one of the signed-in user's schools, and every pupil must be on that school's roll.
	"""
	schools = require_portal_user()
	if school not in schools:
		frappe.throw(_("You can send attendance only for your own school."), frappe.PermissionError)
	if len(csv_text or "") > 2_000_000:
		frappe.throw(_("The file is too large: send one term at a time."))
	academic_year = academic_year or current_period()[0]
	content = (csv_text or "").encode()
	plan = plan_import(content, academic_year, school, allowed_schools=[school])
	if not frappe.utils.cint(confirm):
		return summary_of(plan)
	result = apply_plan(plan, PORTAL_UPLOAD)
	_log_portal_upload(school, academic_year, content, result)
	return result


def _log_portal_upload(school: str, academic_year: str, content: bytes, result: dict) -> None:
	"""Keep what the school sent on an Import Log: the Head and Managers can see who sent which rows; the
	file is not on any record a caseworker, Finance or another school reads (File follows its record)."""
	log = import_log.new_log("Attendance", "Portal", school=school, academic_year=academic_year)
	stamp = frappe.utils.now_datetime().strftime("%Y%m%d-%H%M%S")
	import_log.attach_source(log, "source_file", f"attendance-{school}-{stamp}.csv", content)
	log.record_result(result)


# --- summaries -------------------------------------------------------------------------------------------


def _summed(children: list[str], academic_year: str, term: str | None = None, by_term: bool = False) -> list:
	"""Sessions and weeks summed per child (and per term) over the academic year, or one term of it."""
	record = frappe.qb.DocType(DOCTYPE)
	query = (
		frappe.qb.from_(record)
		.select(
			record.child,
			record.term,
			*(Sum(record[field]).as_(key) for key, field in COUNT_FIELDS.items()),
			Count("*").as_("weeks"),
		)
		.where(record.child.isin(children or [""]) & (record.academic_year == academic_year))
		.groupby(record.child, *([record.term] if by_term else []))
	)
	if term:
		query = query.where(record.term == term)
	return query.run(as_dict=True)


def _summary(row) -> rules.AttendanceSummary:
	return rules.AttendanceSummary.of(
		rules.SessionCounts(**{key: int(row[key] or 0) for key in COUNT_FIELDS}), int(row.weeks)
	)


def term_summaries(children: list[str], academic_year: str, term: str | None = None) -> dict:
	"""{child: AttendanceSummary} over the academic year, or one term of it (set-based)."""
	return {row.child: _summary(row) for row in _summed(children, academic_year, term)}


@frappe.whitelist()
def child_attendance(child: str, academic_year: str | None = None) -> dict:
	"""The Child form's attendance panel: each term of the academic year (default: this one) and the year."""
	frappe.has_permission("Child", "read", child, throw=True)
	this_year, current_term = current_period()
	academic_year = academic_year or this_year
	per_term = {row.term: _summary(row) for row in _summed([child], academic_year, by_term=True)}
	year = None
	if per_term:
		year = rules.AttendanceSummary.of(
			sum((summary.counts for summary in per_term.values()), rules.SessionCounts()),
			sum(summary.weeks for summary in per_term.values()),
		)
	last = frappe.get_all(
		DOCTYPE,
		filters={"child": child},
		fields=["week_starting", "school_name"],
		order_by="week_starting desc",
		limit=1,
	)
	return {
		"academic_year": academic_year,
		"current_term": current_term,
		"terms": [_summary_row(term, per_term[term]) for term in rules.TERMS if term in per_term],
		"year": _summary_row(academic_year, year) if year else None,
		"last_week": last[0] if last else None,
	}


def _summary_row(label: str, summary: rules.AttendanceSummary) -> dict:
	return {
		"label": label,
		"percent": summary.percent,
		"band": summary.band,
		"possible": summary.counts.possible,
		"attended": summary.counts.attended,
		"unauthorised": summary.counts.unauthorised,
		"suspended": summary.counts.suspended,
		"weeks": summary.weeks,
	}


def attendance_for_pep(child: str, academic_year: str, term: str) -> float | None:
	"""The attendance % the PEP starts from: the term's records so far."""
	summary = term_summaries([child], academic_year, term).get(child)
	return summary.percent if summary else None


# --- the daily flags -------------------------------------------------------------------------------------


class Concern(NamedTuple):
	"""Something the daily flags escalate: on which child, its trigger key (one escalation per key) and
	its reason, written only when the escalation is opened (most concerns were escalated on an earlier day)."""

	child: str
	key: str
	reason: Callable[[], str]


def flag_attendance_concerns(on_date: date | str | None = None) -> dict:
	"""Daily job: escalate looked-after children below the absence thresholds this term, and children on
	roll whose school has sent no attendance for them for the set number of school days. Each concern opens
	one escalation (``Escalation.trigger_key``), so running the job again opens nothing more.
	"""
	on_date = getdate(on_date or today())
	return {
		"absence": flag_absence(on_date),
		"missing": flag_missing_attendance(on_date),
	}


def escalated_keys(keys: list[str]) -> set[str]:
	"""The trigger keys among ``keys`` that already have an escalation."""
	if not keys:
		return set()
	return {
		key
		for (key,) in frappe.db.sql("select trigger_key from tabEscalation where trigger_key in %s", [keys])
	}


def flag_absence(on_date: date) -> list[str]:
	return _open_concerns(absence_concerns(on_date), on_date)


def absence_concerns(on_date: date) -> list[Concern]:
	"""A concern for each looked-after child persistently or severely absent this term."""
	academic_year, term = current_period(on_date)
	# The term's sessions per child come from the maintained totals (one row per child and school, read
	# from their covering index in child order): no temporary table; only the children below the threshold
	# are joined.
	rows = frappe.db.sql(
		f"""select straight_join c.name as child, c.full_name, t.possible, t.attended
		from (select child, sum(possible_sessions) as possible, sum(sessions_attended) as attended
			from `tab{TOTALS}` where academic_year = %(academic_year)s and term = %(term)s
			group by child
			having possible >= %(minimum)s and {to_sql(persistently_absent(Field("possible"), Field("attended")))}) t
		join tabChild c on c.name = t.child
		where c.status = %(active)s and {to_sql(flagged(CHILD, getdate(on_date)))}""",
		{
			"academic_year": academic_year,
			"term": term,
			"minimum": MIN_SESSIONS_TO_FLAG,
			"active": ACTIVE,
		},
		as_dict=True,
	)
	concerns = []
	for row in rows:
		band = rules.absence_band(int(row.possible), int(row.attended))
		kind = "severe" if band == rules.SEVERE else "persistent"
		key = f"attendance:{kind}:{academic_year}:{term}:{row.child}"
		concerns.append(Concern(row.child, key, partial(_absence_reason, row, band, term)))
	return concerns


def _absence_reason(row, band: str, term: str) -> str:
	return _("{0}: {1} this {2} term ({3}% attendance over {4} possible sessions).").format(
		row.full_name,
		_(band).lower(),
		_(term),
		rules.attendance_percent(int(row.possible), int(row.attended)),
		int(row.possible),
	)


def _open_concerns(concerns: list[Concern], on_date: date) -> list[str]:
	"""Open one escalation on the child for each concern not already escalated (by trigger key)."""
	done = escalated_keys([concern.key for concern in concerns])
	return opened_names(
		[
			open_escalation("Child", concern.child, concern.reason(), on_date, concern.key)
			for concern in concerns
			if concern.key not in done
		]
	)


def missing_attendance_threshold() -> int:
	return settings.get().attendance_missing_school_days


# a placement (alias p) on roll on the query's %(on_date)s, for the raw SQL below
_ON_ROLL_ON_DATE = to_sql(on_roll_on(Table("tabEducation Placement", alias="p"), Parameter("%(on_date)s")))


def children_without_recent_attendance(on_date: date, threshold: int | None = None) -> list[dict]:
	"""Looked-after children on roll whose school sends attendance but not for them for ``threshold``
	school days: since the Friday of their last week received, or since their placement began.

	Only schools that have sent any attendance this academic year count: a school that sends none at all is
	a data-feed problem, shown in the Attendance Overview, not a child missing education.
	"""
	threshold = missing_attendance_threshold() if threshold is None else threshold
	if threshold <= 0:
		return []
	academic_year, _term = current_period(on_date)
	# Each looked-after child on roll at a school that sends returns this year (the school's first week of
	# the year: one dive into (school, week_starting); a week belongs to the year of its Friday), with the
	# Friday of the last week that school sent for them (one dive into (child, school, week_starting)) or the
	# day before their placement began. Children covered more recently than ``threshold`` calendar days ago
	# cannot have missed ``threshold`` school days: left out in SQL, the rest counted on the school calendar.
	rows = frappe.db.sql(
		f"""select * from (
			select c.name as child, c.full_name, c.current_school as school,
				c.current_school_name as school_name, c.caseworker,
				coalesce(
					(select max(a.week_starting) from `tab{DOCTYPE}` a
						where a.child = c.name and a.school = c.current_school) + interval 4 day,
					(select max(p.start_date) from `tabEducation Placement` p
						where p.child = c.name and p.school = c.current_school
							and {_ON_ROLL_ON_DATE}) - interval 1 day
				) as covered_to
			from tabChild c
			where c.status = %(active)s and {to_sql(flagged(CHILD, getdate(on_date)))}
				and c.current_school is not null
				and exists (select 1 from `tab{DOCTYPE}` s where s.school = c.current_school
					and s.week_starting >= %(first_monday)s and s.academic_year = %(academic_year)s)
		) covered
		where covered_to <= %(latest)s""",
		{
			"on_date": on_date,
			"active": ACTIVE,
			"first_monday": academic_year_bounds(academic_year)[0] - timedelta(days=4),
			"academic_year": academic_year,
			"latest": on_date - timedelta(days=threshold),
		},
		as_dict=True,
	)
	found = []
	for row in rows:
		row.covered_to = getdate(row.covered_to)
		row.school_days_without = count_days(row.covered_to, on_date, DayKind.SCHOOL)
		if row.school_days_without >= threshold:
			found.append(row)
	return found


def flag_missing_attendance(on_date: date) -> list[str]:
	return _open_concerns(missing_attendance_concerns(on_date), on_date)


def missing_attendance_concerns(on_date: date) -> list[Concern]:
	"""A concern for each child on roll whose school has stopped sending their attendance."""
	return [
		Concern(
			row.child,
			f"missing:{row.child}:{row.school}:{row.covered_to.isoformat()}",
			partial(_missing_reason, row),
		)
		for row in children_without_recent_attendance(on_date)
	]


def _missing_reason(row) -> str:
	return _(
		"{0}: no attendance received from {1} for {2} school days (since {3}). The child may be missing education."
	).format(row.full_name, row.school_name, row.school_days_without, frappe.utils.formatdate(row.covered_to))


# --- suspension sessions without an Exclusion ------------------------------------------------------------
RECORD = Table(f"tab{DOCTYPE}").as_("a")


def term_starts(academic_year: str) -> dict[str, date]:
	"""The first day of each term of the academic year: its first half-term's start in the calendar (the
	half-term's name's first word, as ``rules.term_for_week``), else 1 September, 1 January, 1 April."""
	first_day, last_day = academic_year_bounds(academic_year)
	starts: dict[str, date] = {}
	for name, start, _end in half_terms():
		word = (name or "").split(" ")[0].title()
		if word in rules.TERMS and first_day <= start <= last_day:
			starts[word] = min(start, starts.get(word, start))
	fallback = dict(
		zip(
			rules.TERMS,
			(first_day, date(first_day.year + 1, 1, 1), date(first_day.year + 1, 4, 1)),
			strict=True,
		)
	)
	return {term: starts.get(term, fallback[term]) for term in rules.TERMS}


def unmatched_suspensions(on_date: date | str | None = None, school: str | None = None) -> list[dict]:
	"""Looked-after children (``flagged``) whose school's attendance returns this academic year record
	suspension sessions with no Exclusion of the child at that school to account for them
	(``vocabulary.matching_exclusion``): per child and school, the sessions, the weeks and the first and last
	such week. Issue #23 item 5: the school must tell the virtual school head of every suspension.

	One statement: the candidates come from the maintained term totals (children and schools with any
	suspension sessions this year), their weeks with sessions from the records' (child, school, week) index,
	and each week's matching Exclusion from the Exclusion's child index."""
	on_date = getdate(on_date or today())
	academic_year, _term = current_period(on_date)
	values = {"academic_year": academic_year, "active": ACTIVE}
	school_condition = ""
	if school:
		school_condition = "and t.school = %(school)s"
		values["school"] = school
	return frappe.db.sql(
		f"""select straight_join a.child, c.full_name, a.school, max(a.school_name) as school_name,
			c.caseworker, sum(a.suspension_sessions) as suspension_sessions, count(*) as weeks,
			min(a.week_starting) as first_week, max(a.week_starting) as last_week
		from (select distinct child, school from `tab{TOTALS}`
			where academic_year = %(academic_year)s and suspension_sessions > 0) t
		join `tab{DOCTYPE}` a on a.child = t.child and a.school = t.school
		join tabChild c on c.name = a.child
		where a.academic_year = %(academic_year)s and a.suspension_sessions > 0 {school_condition}
			and c.status = %(active)s and {to_sql(flagged(CHILD, on_date))}
			and {to_sql(~matching_exclusion(RECORD, term_starts(academic_year)))}
		group by a.child, a.school
		order by suspension_sessions desc, a.child""",
		values,
		as_dict=True,
	)
