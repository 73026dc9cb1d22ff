"""Import looked-after children from the DfE SSDA903 return: CSV (header, episodes, reviews) or the XML export.

Never lose a child in care (issue #19). ``virtual_school.domain.ssda903`` reads the files: a child whose identity
is usable (CHILD id, one possible date of birth) is always read, a value that breaks its rule is left out and
becomes a ``QualityIssue``, and only rows that cannot identify a child are rejected. This module compares each
child with the site by the social-care ID (``Child.social_care_id``) and a fingerprint, previews what would be
created, changed and rejected, and writes each child in its own savepoint, keeping the stored value of every
field that failed its rule. It keeps the *Data Quality Issue* records in step with the file: a new problem
opens one issue, the same problem in a re-sent file (whatever row it moved to) updates the one it has, and an
open issue of a child in the file that the file no longer shows is resolved. Re-importing the same files
changes nothing.
"""

import dataclasses
from collections import Counter

import frappe
from frappe import _
from frappe.utils import now_datetime

from virtual_school.children.leaving_care import apply_episodes
from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.domain import ssda903
from virtual_school.permissions import require_roles
from virtual_school.shared import settings
from virtual_school.virtual_school.doctype.import_log import import_log

GENDERS = {"M": "Male", "F": "Female", "U": "Not known"}
ISSUE_DOCTYPE = "Data Quality Issue"
OPEN, RESOLVED = "Open", "Resolved"
TOP_RULES = 5
# The Import Log fields that hold each source (``files`` keys of ``read``)
LOG_FIELDS = {
	"header": "header_file",
	"episodes": "episodes_file",
	"reviews": "reviews_file",
	"xml": "source_file",
}


def _files(header=None, episodes=None, reviews=None, xml=None) -> dict:
	files = {"header": header, "episodes": episodes, "reviews": reviews, "xml": xml}
	return {key: value for key, value in files.items() if value is not None}


def read(files: dict) -> ssda903.ReadResult:
	"""The files read as the domain reads them, with the site's LA codes for the UPN and PL_LA checks."""
	known = set(frappe.get_all("Local Authority", pluck="name"))
	if not files.get("xml") and not (files.get("header") and files.get("episodes")):
		frappe.throw(
			_(
				"Attach the header and episodes files (and the reviews file if you have it), or the XML export."
			),
			title=_("Missing File"),
		)
	try:
		result = ssda903.read_files(files, known_la_codes=known, on_date=now_datetime().date())
	except ssda903.MalformedFile as error:
		frappe.throw(_("The SSDA903 files cannot be imported: {0}").format(error), title=_("Malformed File"))
	_flag_shared_upns(result)
	return result


def _flag_shared_upns(result: ssda903.ReadResult) -> None:
	"""A UPN another child already holds (on the site, or earlier in the file) is not written, and flagged.

	A Child's UPN is unique (``Child.validate_not_duplicate``): writing it would refuse the whole child, and a
	looked-after child must never be lost to a typing error in a UPN.
	"""
	upns = [child.upn for child in result.children if child.upn]
	if not upns:
		return
	table = frappe.qb.DocType("Child")
	holders = {}
	for start in range(0, len(upns), 1000):
		for upn, social_care_id in (
			frappe.qb.from_(table)
			.select(table.upn, table.social_care_id)
			.where(table.upn.isin(upns[start : start + 1000]))
			.run()
		):
			holders[upn] = social_care_id
	for index, child in enumerate(result.children):
		if not child.upn:
			continue
		holder = holders.setdefault(child.upn, child.social_care_id)
		if holder == child.social_care_id:
			continue
		result.issues.append(
			ssda903.QualityIssue(
				child.social_care_id,
				ssda903.HEADER_FILE,
				None,
				"UPN",
				child.upn,
				_(
					"UPN {0} is already recorded for another child: not written (check for a duplicate record)"
				).format(child.upn),
				"upn:duplicate",
			)
		)
		result.children[index] = dataclasses.replace(
			child, upn=None, invalid_fields=child.invalid_fields | {"UPN"}
		)


def preview(header=None, episodes=None, reviews=None, xml=None) -> dict:
	"""What an import would do, writing nothing."""
	result = read(_files(header, episodes, reviews, xml))
	plan = _plan(result.children)
	summary = {
		"create": [child.social_care_id for child, _name in plan["create"]],
		"update": [child.social_care_id for child, _name in plan["update"]],
		"unchanged": plan["unchanged"],
		"rejected": [row.as_dict() for row in result.rejected],
		"issues": [issue.as_dict() for issue in result.issues],
	}
	summary["summary"] = summary_text(summary, result.issues, preview=True)
	return summary


def import_children(header=None, episodes=None, reviews=None, xml=None, log=None) -> dict:
	"""Create or update every identifiable child, and keep its Data Quality Issues in step with the file."""
	result = read(_files(header, episodes, reviews, xml))
	plan = _plan(result.children)
	summary = {
		"created": [],
		"updated": [],
		"unchanged": plan["unchanged"],
		"rejected": [r.as_dict() for r in result.rejected],
	}
	names = dict(plan["names"])
	for kind, key in (("create", "created"), ("update", "updated")):
		for child, name in plan[kind]:
			savepoint = f"ssda903_{frappe.generate_hash(length=8)}"
			frappe.db.savepoint(savepoint)
			try:
				names[child.social_care_id] = _write(child, name)
				summary[key].append(names[child.social_care_id])
			except (frappe.ValidationError, frappe.DuplicateEntryError) as error:
				# listed, never silent: the child is named in the answer and the Import Log
				frappe.db.rollback(save_point=savepoint)
				frappe.clear_messages()
				names.pop(child.social_care_id, None)
				summary["rejected"].append(
					{"child": child.social_care_id, "row": None, "column": "", "reason": str(error)}
				)
	written = {child.social_care_id for child in result.children if child.social_care_id in names}
	issues = [issue for issue in result.issues if issue.child in written]
	summary["issues"] = sync_issues(
		issues, {child: names[child] for child in written}, log, "XML" if xml is not None else "CSV"
	)
	summary["summary"] = summary_text(summary, issues)
	return summary


def summary_text(summary: dict, issues: list, preview: bool = False) -> str:
	"""One sentence for the team: "2,675 children: 2,640 created, 35 updated, 0 rejected; 1,213 ..."."""

	def count(key):
		value = summary.get(key, [])
		return len(value) if isinstance(value, list | tuple) else value

	created, updated = (count("create"), count("update")) if preview else (count("created"), count("updated"))
	rejected_children = {row.get("child") or f"row {row.get('row')}" for row in summary.get("rejected", [])}
	total = created + updated + count("unchanged")
	text = _("{0} children: {1} {2}, {3} {4}, {5} unchanged, {6} rejected").format(
		f"{total:,}",
		f"{created:,}",
		_("to create") if preview else _("created"),
		f"{updated:,}",
		_("to update") if preview else _("updated"),
		f"{count('unchanged'):,}",
		f"{len(rejected_children):,}",
	)
	if issues:
		by_check = Counter(issue.check for issue in issues)
		examples = {}
		for issue in issues:
			examples.setdefault(issue.check, issue.rule)
		top = "; ".join(
			f"{examples[check]} ({number:,})" for check, number in by_check.most_common(TOP_RULES)
		)
		text += _("; {0} data-quality issues in {1} children; top rules: {2}").format(
			f"{len(issues):,}", f"{len({issue.child for issue in issues}):,}", top
		)
	return text


def _plan(children: list) -> dict:
	ids = [child.social_care_id for child in children]
	existing = {}
	table = frappe.qb.DocType("Child")
	for start in range(0, len(ids), 1000):
		for row in (
			frappe.qb.from_(table)
			.select(table.name, table.social_care_id, table.ssda903_fingerprint)
			.where(table.social_care_id.isin(ids[start : start + 1000]))
			.run(as_dict=True)
		):
			existing[row.social_care_id] = row
	plan = {"create": [], "update": [], "unchanged": [], "names": []}
	for child in children:
		found = existing.get(child.social_care_id)
		if not found:
			plan["create"].append((child, None))
			continue
		plan["names"].append((child.social_care_id, found.name))
		if found.ssda903_fingerprint == ssda903.record_fingerprint(child):
			plan["unchanged"].append(child.social_care_id)
		else:
			plan["update"].append((child, found.name))
	return plan


def _legal_status_option(code: str | None) -> str | None:
	if not code:
		return None
	options = frappe.get_meta("Child").get_field("legal_status").options.split("\n")
	return next((option for option in options if option.startswith(f"{code} - ")), None)


def _write(child: ssda903.ChildRecord, name: str | None) -> str:
	"""Write one child; a field that failed its rule keeps the stored value (a new child: left empty)."""
	doc = frappe.get_doc("Child", name) if name else frappe.new_doc("Child")
	if not name:
		# SSDA903 carries no names: the team completes them from the social-care system.
		doc.first_name, doc.last_name = _("Child"), child.social_care_id
		doc.cohort = LOOKED_AFTER
	values = {
		"social_care_id": child.social_care_id,
		"date_of_birth": child.date_of_birth,
		"ssda903_fingerprint": ssda903.record_fingerprint(child),
		"care_history_uncertain": 1 if child.uncertain else 0,
	}
	if "SEX" not in child.invalid_fields and child.sex:
		values["gender"] = GENDERS.get(child.sex, "Not known")
	if "UPN" not in child.invalid_fields:
		values["upn"] = child.upn
	doc.update(values)
	if child.episodes:
		# derived from the episodes that can be used; with none usable, the stored history stands
		doc.update(
			{
				"legal_status": _legal_status_option(child.legal_status) or doc.legal_status,
				"date_entered_care": child.date_entered_care,
				"date_left_care": child.date_left_care,
			}
		)
		_set_where_the_child_lives(doc, child.placement_la)
		# leaving care (domain.cohorts): the cohort and leaving date from the episodes, E11/E12/E41/E43-E48
		# previously looked after, any other reason or the 18th birthday the end of the looked-after cohort
		apply_episodes(doc, child.episodes, child.date_of_birth, now_datetime().date())
		doc.set("care_episodes", [_episode_row(episode) for episode in child.episodes])
	elif not name:
		_set_where_the_child_lives(doc, None)
	if child.reviews or not name:
		doc.set(
			"care_reviews",
			[{"review_date": review.date, "participation": review.participation} for review in child.reviews],
		)
	doc.flags.ignore_permissions = True
	doc.save()
	return doc.name


def _episode_row(episode: ssda903.Episode) -> dict:
	return {
		"start_date": episode.start,
		"reason_new_episode": episode.reason_new,
		"legal_status": episode.legal_status,
		"placement_type": episode.placement_type,
		"placement_provider": episode.placement_provider,
		"placement_postcode": episode.placement_postcode,
		"placement_la": episode.placement_la,
		"urn": episode.urn,
		"end_date": episode.end,
		"reason_ceased": episode.reason_ceased,
		"reason_place_change": episode.reason_place_change,
	}


def _set_where_the_child_lives(doc, placement_la: str | None) -> None:
	"""The return comes from the responsible authority; the latest PL_LA says where the child lives
	(Child derives the out-of-authority flag from the two; outside England it is always set)."""
	doc.responsible_la = doc.responsible_la or settings.get().la
	if placement_la and placement_la not in ssda903.OUTSIDE_ENGLAND:
		doc.resident_la = placement_la


def sync_issues(issues: list, names: dict[str, str], log=None, source_format: str = "CSV") -> dict:
	"""Keep the Data Quality Issues of the children in this file in step with it (set-based).

	``names`` maps each written child's social-care ID to its Child. A new problem inserts one issue; one
	already recorded (same key) is seen again, reopened if it was resolved; an open issue of these children
	that the file no longer shows is resolved. Returns the counts.
	"""
	table = frappe.qb.DocType(ISSUE_DOCTYPE)
	existing = {}
	children = list(names.values())
	for start in range(0, len(children), 1000):
		for row in (
			frappe.qb.from_(table)
			.select(table.name, table.issue_key, table.status)
			.where(table.child.isin(children[start : start + 1000]))
			.run(as_dict=True)
		):
			existing[row.issue_key] = row
	now = now_datetime()
	user = frappe.session.user
	log_name = log.name if log else None
	child_table = frappe.qb.DocType("Child")
	full_names = {}
	for start in range(0, len(children), 1000):
		full_names.update(
			frappe.qb.from_(child_table)
			.select(child_table.name, child_table.full_name)
			.where(child_table.name.isin(children[start : start + 1000]))
			.run()
		)
	source_file = _source_file_names(log)
	seen, new_rows = set(), []
	for issue in issues:
		if issue.key in seen:
			continue  # the same problem twice in one file (e.g. a repeated row) is one issue
		seen.add(issue.key)
		if issue.key in existing:
			continue
		new_rows.append(
			{
				"child": names[issue.child],
				"child_name": full_names.get(names[issue.child]),
				"social_care_id": issue.child,
				"status": OPEN,
				"severity": issue.severity,
				"rule": issue.rule,
				"rule_code": issue.check,
				"source_column": issue.column,
				"value_received": issue.value,
				"source_format": source_format,
				"source_table": issue.file,
				"source_file": source_file.get(issue.file if source_format == "CSV" else "xml"),
				"row_number": issue.row_number,
				"first_import_log": log_name,
				"first_seen_on": now,
				"last_import_log": log_name,
				"last_seen_on": now,
				"issue_key": issue.key,
				"owner": user,
				"modified_by": user,
			}
		)
	for row in new_rows:
		doc = frappe.get_doc({"doctype": ISSUE_DOCTYPE, **row})
		doc.flags.ignore_permissions = True
		doc.db_insert()
	again = [existing[key].name for key in seen if key in existing]
	reopened = sum(1 for key in seen if key in existing and existing[key].status == RESOLVED)
	resolved = [row.name for key, row in existing.items() if key not in seen and row.status == OPEN]
	for start in range(0, len(again), 1000):
		(
			frappe.qb.update(table)
			.set(table.status, OPEN)
			.set(table.last_seen_on, now)
			.set(table.last_import_log, log_name)
			.set(table.resolved_on, None)
			.set(table.resolved_by_import_log, None)
			.where(table.name.isin(again[start : start + 1000]))
			.run()
		)
	for start in range(0, len(resolved), 1000):
		(
			frappe.qb.update(table)
			.set(table.status, RESOLVED)
			.set(table.resolved_on, now)
			.set(table.resolved_by_import_log, log_name)
			.where(table.name.isin(resolved[start : start + 1000]))
			.run()
		)
	return {
		"opened": len(new_rows),
		"seen_again": len(again) - reopened,
		"reopened": reopened,
		"resolved": len(resolved),
		"open": len(seen),
		"children": len({issue.child for issue in issues}),
	}


def _source_file_names(log) -> dict:
	if not log:
		return {}
	return {key: (log.get(field) or "").rsplit("/", 1)[-1] or None for key, field in LOG_FIELDS.items()}


def _file_content(file_url: str | None) -> bytes | None:
	if not file_url:
		return None
	file_doc = frappe.get_doc("File", {"file_url": file_url})
	file_doc.check_permission("read")
	content = file_doc.get_content()
	return content if isinstance(content, bytes) else content.encode()


@frappe.whitelist()
def preview_files(
	header_url: str | None = None,
	episodes_url: str | None = None,
	reviews_url: str | None = None,
	xml_url: str | None = None,
) -> dict:
	"""Desk API (files the user may open): what an import would do, writing nothing."""
	require_roles(*import_log.IMPORT_ROLES)
	return preview(*(_file_content(url) for url in (header_url, episodes_url, reviews_url, xml_url)))


def _log_files(log) -> dict:
	return {key: log.source_bytes(field) for key, field in LOG_FIELDS.items() if log.get(field)}


def plan_log(log) -> tuple:
	"""An Import Log's SSDA903 run: (preview, apply)."""
	files = _log_files(log)
	return preview(**files), lambda: import_children(**files, log=log)


@frappe.whitelist(methods=["POST"])
def import_files(
	header_url: str | None = None,
	episodes_url: str | None = None,
	reviews_url: str | None = None,
	xml_url: str | None = None,
) -> dict:
	"""Desk API: import uploaded files, recorded on a new Import Log that keeps them (Head/Manager only)."""
	require_roles(*import_log.IMPORT_ROLES)
	log = frappe.get_doc(
		{
			"doctype": "Import Log",
			"import_type": "SSDA903",
			"channel": "Desk",
			"header_file": header_url,
			"episodes_file": episodes_url,
			"reviews_file": reviews_url,
			"source_file": xml_url,
		}
	).insert()
	return import_log.run(log.name)


def import_from_bench(
	header: tuple[str, bytes] | None = None,
	episodes: tuple[str, bytes] | None = None,
	reviews: tuple[str, bytes] | None = None,
	xml: tuple[str, bytes] | None = None,
) -> dict:
	"""``bench virtual-school-import-ssda903``: import local files, kept on an Import Log like a desk import."""
	log = import_log.new_log("SSDA903", "Bench")
	sources = {"header": header, "episodes": episodes, "reviews": reviews, "xml": xml}
	for key, source in sources.items():
		if source:
			import_log.attach_source(log, LOG_FIELDS[key], *source)
	result = import_children(**{key: source[1] for key, source in sources.items() if source}, log=log)
	log.record_result(result)
	return {**result, "import_log": log.name}
