"""Social workers as users (issue #23 item 1): linked to their children, the PEP's social-care part, PP+ asks.

A *Social Worker* sees the children whose ``Child.social_worker_user`` is them (``permissions.CASELOAD_FIELDS``).
That link decides access, so it is set only to an enabled user holding the role, by the team (Head, Manager,
the child's caseworker: the role has no write on Child), and by imports from the social worker's email.
On the PEP the role has write (Frappe asks for level-0 write before any save), but Frappe has no per-field
write below the document: ``guard_pep_write`` refuses a Social Worker's change to anything but the social-care
fields, whatever path the save came by (form, REST PUT, ``set_value``, ``savedocs``).
"""

import frappe
from frappe import _
from frappe.model import display_fieldtypes

from virtual_school.permissions import UNRESTRICTED_ROLES, require_roles
from virtual_school.security.system_owned import _normal
from virtual_school.setup.roles import SOCIAL_WORKER, VIRTUAL_SCHOOL_CASEWORKER

# CPPCR 2010 Sch 1 para 2: the social care part of the PEP, the social worker's to complete
SOCIAL_CARE_FIELDS = (
	"care_plan_context",
	"placement_stability",
	"placement_stability_detail",
	"carer_role_in_learning",
)


class SocialWorkerFieldError(frappe.PermissionError):
	"""A Social Worker tried to change a PEP field outside its social-care part."""


def social_worker_users(emails=None) -> dict[str, str]:
	"""{lower-case email: user} of enabled users holding the Social Worker role (only these emails if given)."""
	user, has_role = frappe.qb.DocType("User"), frappe.qb.DocType("Has Role")
	query = (
		frappe.qb.from_(user)
		.join(has_role)
		.on((has_role.parent == user.name) & (has_role.parenttype == "User"))
		.select(user.email, user.name)
		.where((user.enabled == 1) & (has_role.role == SOCIAL_WORKER))
	)
	if emails is not None:
		emails = sorted({email.strip().lower() for email in emails if email})
		if not emails:
			return {}
		query = query.where(user.email.isin(emails))
	return {email.lower(): name for email, name in query.run() if email}


def link_social_worker_users(children: list[str] | None = None) -> int:
	"""Set ``Child.social_worker_user`` from ``social_worker_email`` after an import; returns rows changed.

	Set-based: one read and one UPDATE per distinct user. A child whose email names an enabled Social Worker
	gets that user; a child whose email names someone else (or nobody with the role) loses a link to another
	user, so a social worker who handed the case over stops seeing it. A child without an email keeps the
	link set by hand.
	"""
	if children is not None and not children:
		return 0
	child = frappe.qb.DocType("Child")
	query = (
		frappe.qb.from_(child)
		.select(child.name, child.social_worker_email, child.social_worker_user)
		.where(child.social_worker_email.isnotnull() & (child.social_worker_email != ""))
	)
	if children is not None:
		query = query.where(child.name.isin(children))
	rows = query.run()
	users = social_worker_users(email for _name, email, _user in rows)
	moves: dict[str | None, list[str]] = {}
	for name, email, current in rows:
		wanted = users.get(email.strip().lower())
		if (current or None) != wanted:
			moves.setdefault(wanted, []).append(name)
	for wanted, names in moves.items():
		frappe.qb.update(child).set(child.social_worker_user, wanted).where(child.name.isin(names)).run()
	return sum(len(names) for names in moves.values())


def validate_child(doc, method=None) -> None:
	"""Child validate: the link must name an enabled Social Worker; an email of one fills an empty link."""
	if doc.social_worker_email and not doc.social_worker_user:
		before = doc.get_doc_before_save()
		if before is None or before.social_worker_email != doc.social_worker_email:
			doc.social_worker_user = social_worker_users([doc.social_worker_email]).get(
				doc.social_worker_email.strip().lower()
			)
	if (
		doc.social_worker_user
		and doc.social_worker_user
		not in social_worker_users(
			[frappe.db.get_value("User", doc.social_worker_user, "email") or ""]
		).values()
	):
		frappe.throw(
			_("{0} is not an enabled user with the role {1}.").format(
				doc.social_worker_user, _(SOCIAL_WORKER)
			),
			title=_("Social Worker (User)"),
		)


def is_social_worker_only(user: str | None = None) -> bool:
	"""The user writes PEPs only as a Social Worker (not as a caseworker or a lead)."""
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	return SOCIAL_WORKER in roles and not roles & (UNRESTRICTED_ROLES | {VIRTUAL_SCHOOL_CASEWORKER})


def guard_pep_write(doc, method=None) -> None:
	"""PEP before_validate: a Social Worker changes the social-care fields only (trusted code excepted)."""
	if doc.flags.ignore_permissions or not is_social_worker_only():
		return
	before = doc.get_doc_before_save()
	if before is None:
		frappe.throw(_("A social worker does not create PEPs."), SocialWorkerFieldError)
	for df in doc.meta.fields:
		if df.fieldtype in display_fieldtypes or df.fieldname in SOCIAL_CARE_FIELDS:
			continue
		if _normal(df, doc.get(df.fieldname)) != _normal(df, before.get(df.fieldname)):
			frappe.throw(
				_(
					"A social worker completes the PEP's social-care part only; {0} is not theirs to change."
				).format(_(df.label or df.fieldname)),
				SocialWorkerFieldError,
			)


@frappe.whitelist(methods=["POST"])
def ask_caseworker_for_pp_plus(child: str, reason: str) -> str:
	"""A social worker asks the child's caseworker to raise a PP+ claim: a ToDo assigned to the caseworker.

	Social workers have no access to PP+ claims (funding decisions are the virtual school's); the ToDo points at
	the Child, which the caseworker reads, and names who asked and why. Returns the ToDo's name.
	"""
	require_roles(SOCIAL_WORKER)
	reason = (reason or "").strip()
	if not reason:
		frappe.throw(_("Say what the PP+ would pay for."))
	doc = frappe.get_doc("Child", child)
	doc.check_permission("read")
	if not doc.caseworker:
		frappe.throw(_("{0} has no caseworker yet: ask the virtual school.").format(doc.full_name))
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": doc.caseworker,
			"assigned_by": frappe.session.user,
			"reference_type": "Child",
			"reference_name": doc.name,
			"description": _("PP+ request from the social worker {0}: {1}").format(
				frappe.utils.get_fullname(frappe.session.user), frappe.utils.escape_html(reason)
			),
			"priority": "Medium",
		}
	).insert(ignore_permissions=True)
	return todo.name
