"""Import looked-after children from the DfE SSDA903 header and episodes files.

``virtual_school.domain.ssda903`` reads and validates the files (codes against the DfE lists shipped in
``virtual_school/data/ssda903_codes.json``, all-or-nothing per child). This module compares each child with
the site by the social-care ID (``Child.social_care_id``) and a fingerprint, previews what would be created,
changed and rejected, and writes each child in its own savepoint. Re-importing the same files changes nothing.
"""

import frappe
from frappe import _

from virtual_school.domain import ssda903

# Reasons an episode ceased that make a child previously looked after (adoption, SGO, CAO).
PREVIOUSLY_LOOKED_AFTER_REASONS = ("E11", "E12", "E41", "E43", "E44", "E45", "E46", "E47", "E48")
GENDERS = {"M": "Male", "F": "Female", "U": "Not known"}


def read(header: bytes, episodes: bytes):
	known = set(frappe.get_all("Local Authority", pluck="name"))
	try:
		return ssda903.read_ssda903(header, episodes, known_la_codes=known)
	except ssda903.MalformedFile as error:
		frappe.throw(_("The SSDA903 files cannot be imported: {0}").format(error), title=_("Malformed File"))


def preview(header: bytes, episodes: bytes) -> dict:
	"""What an import would do, writing nothing."""
	children, rejected = read(header, episodes)
	plan = _plan(children)
	return {
		"create": [child.social_care_id for child, _name in plan["create"]],
		"update": [child.social_care_id for child, _name in plan["update"]],
		"unchanged": plan["unchanged"],
		"rejected": [row.as_dict() for row in rejected],
	}


def import_children(header: bytes, episodes: bytes) -> dict:
	children, rejected = read(header, episodes)
	plan = _plan(children)
	summary = {
		"created": [],
		"updated": [],
		"unchanged": plan["unchanged"],
		"rejected": [r.as_dict() for r in rejected],
	}
	for kind, key in (("create", "created"), ("update", "updated")):
		for child, name in plan[kind]:
			savepoint = f"ssda903_{frappe.generate_hash(length=8)}"
			frappe.db.savepoint(savepoint)
			try:
				summary[key].append(_write(child, name))
			except frappe.ValidationError as error:
				frappe.db.rollback(save_point=savepoint)
				frappe.clear_messages()
				summary["rejected"].append(
					{"child": child.social_care_id, "row": None, "column": "", "reason": str(error)}
				)
	return summary


def _plan(children: list) -> dict:
	existing = {
		row.social_care_id: row
		for row in frappe.get_all(
			"Child",
			filters={"social_care_id": ["in", [child.social_care_id for child in children] or [""]]},
			fields=["name", "social_care_id", "ssda903_fingerprint"],
		)
	}
	plan = {"create": [], "update": [], "unchanged": []}
	for child in children:
		found = existing.get(child.social_care_id)
		if not found:
			plan["create"].append((child, None))
		elif found.ssda903_fingerprint == ssda903.record_fingerprint(child):
			plan["unchanged"].append(child.social_care_id)
		else:
			plan["update"].append((child, found.name))
	return plan


def _legal_status_option(code: str | None) -> str | None:
	if not code:
		return None
	options = frappe.get_meta("Child").get_field("legal_status").options.split("\n")
	return next((option for option in options if option.startswith(f"{code} - ")), None)


def _write(child, name: str | None) -> str:
	doc = frappe.get_doc("Child", name) if name else frappe.new_doc("Child")
	if not name:
		# SSDA903 carries no names: the team completes them from the social-care system.
		doc.first_name, doc.last_name = _("Child"), child.social_care_id
		doc.cohort = "Looked After"
	latest = child.latest_episode
	doc.update(
		{
			"social_care_id": child.social_care_id,
			"date_of_birth": child.date_of_birth,
			"gender": GENDERS.get(child.sex, "Not known"),
			"upn": child.upn,
			"legal_status": _legal_status_option(child.legal_status) or doc.legal_status,
			"date_entered_care": child.date_entered_care,
			"date_left_care": child.date_left_care,
			"ssda903_fingerprint": ssda903.record_fingerprint(child),
		}
	)
	_set_where_the_child_lives(doc, child.placement_la)
	if child.date_left_care and latest and latest.reason_ceased in PREVIOUSLY_LOOKED_AFTER_REASONS:
		doc.cohort = "Previously Looked After"
	doc.set(
		"care_episodes",
		[
			{
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
			for episode in child.episodes
		],
	)
	doc.flags.ignore_permissions = True
	doc.save()
	return doc.name


def _set_where_the_child_lives(doc, placement_la: str | None) -> None:
	"""The return comes from the responsible authority; the latest PL_LA says where the child lives
	(Child derives the out-of-authority flag from the two; outside England it is always set)."""
	doc.responsible_la = doc.responsible_la or frappe.db.get_single_value("Virtual School Settings", "la")
	if placement_la and placement_la not in ssda903.OUTSIDE_ENGLAND:
		doc.resident_la = placement_la


def _file_content(file_url: str) -> bytes:
	file_doc = frappe.get_doc("File", {"file_url": file_url})
	file_doc.check_permission("read")
	content = file_doc.get_content()
	return content if isinstance(content, bytes) else content.encode()


@frappe.whitelist()
def preview_files(header_url: str, episodes_url: str) -> dict:
	"""Desk API (files the user may open): what an import would do, writing nothing."""
	from virtual_school.permissions import require_roles

	require_roles("System Manager", "Virtual School Head", "Virtual School Manager")
	return preview(_file_content(header_url), _file_content(episodes_url))


def plan_log(log) -> tuple:
	"""An Import Log's SSDA903 run: (preview, apply)."""
	header, episodes = log.source_bytes("header_file"), log.source_bytes("episodes_file")
	return preview(header, episodes), lambda: import_children(header, episodes)


@frappe.whitelist(methods=["POST"])
def import_files(header_url: str, episodes_url: str) -> dict:
	"""Desk API: import two uploaded files, recorded on a new Import Log that keeps them (Head/Manager only)."""
	from virtual_school.permissions import require_roles
	from virtual_school.virtual_school.doctype.import_log import import_log

	require_roles(*import_log.IMPORT_ROLES)
	log = frappe.get_doc(
		{
			"doctype": "Import Log",
			"import_type": "SSDA903",
			"channel": "Desk",
			"header_file": header_url,
			"episodes_file": episodes_url,
		}
	).insert()
	return import_log.run(log.name)


def import_from_bench(header: tuple[str, bytes], episodes: tuple[str, bytes]) -> dict:
	"""``bench virtual-school-import-ssda903``: import local files, kept on an Import Log like a desk import."""
	from virtual_school.virtual_school.doctype.import_log.import_log import attach_source, new_log

	log = new_log("SSDA903", "Bench")
	attach_source(log, "header_file", *header)
	attach_source(log, "episodes_file", *episodes)
	result = import_children(header[1], episodes[1])
	log.record_result(result)
	return {**result, "import_log": log.name}
