"""The retention schedule on the site: Retention Rules as data, the records past their period, the daily review.

The rule arithmetic is ``domain/retention.py`` (CPPCR 2010 reg 50 and the council's schedule). Here each
rule becomes a bound on an indexed date (``latest_anchor_past_retention``), so finding what is due is one
range query per rule, not a loop over every child: at national scale (500,000 children) the looked-after
rule reads the children born 75 years ago, the local rule those over 25, from the ``date_of_birth`` index.

- A child's case record follows the rule of their cohort, and the looked-after rule for every child this
  council looked after (``cohort`` Looked After or a Date Entered Care), whatever their cohort is now.
- A child on **legal hold** is never listed (and ``disposal`` refuses them).
- A child who died (``Child.date_of_death``) before the rule's age (reg 50: 18) is kept for the years after
  death instead (15, "beginning with the date of death"), read per record: deaths are few, and the rule only
  ever shortens the period, so the indexed bound on the date of birth still finds everyone else.
- A school contact's activity ended when it was made inactive: its last change (``modified``) while
  inactive, as no separate date is kept (a later edit only keeps it longer).
- Import source files count from the import (``imported_on``, or the log's creation if never imported);
  access logs from when they were written.

Nothing is disposed of here: the daily job tells the Virtual School Head how many records are due, and the
*Retention Review* report lists them; the Head confirms disposal per batch (``governance.disposal``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Count, Date, Max
from frappe.utils import getdate, today

from virtual_school.domain import retention as rules_domain
from virtual_school.domain.cohorts import Cohort
from virtual_school.domain.retention import Authority, Basis, RecordKind, RetentionRule
from virtual_school.setup.roles import VIRTUAL_SCHOOL_HEAD

RULE_DOCTYPE = "Retention Rule"
# Frappe's logs of who viewed or exported a record (the access log of issue #22 item 3 adds its own here).
ACCESS_LOG_DOCTYPES = ("Access Log", "View Log")
REVIEW_REPORT = "Retention Review"


@dataclass(frozen=True)
class DueRecord:
	record_kind: str
	reference_doctype: str
	reference_name: str | None  # None: every row of an access log older than the bound
	description: str
	retention_rule: str
	retention_end: date
	records: int = 1
	cohort: str | None = None


# --- the rules as data ------------------------------------------------------------------------------------


def to_domain(doc) -> RetentionRule:
	"""A Retention Rule document (or row) as the pure rule."""
	return RetentionRule(
		record_kind=RecordKind(doc.record_kind),
		basis=Basis(doc.basis),
		age_years=int(doc.age_years or 0),
		period_years=int(doc.period_years or 0),
		period_days=int(doc.period_days or 0),
		years_after_death=int(doc.years_after_death or 0),
		died_before_age=int(doc.died_before_age or 0),
		cohort=Cohort(doc.cohort) if doc.cohort else None,
		authority=Authority(doc.authority),
		rule_name=doc.rule_name or doc.name,
		source=doc.source or "",
		notes=doc.notes or "",
	)


def validate_rule(doc) -> None:
	"""The Retention Rule controller's check: a usable rule, one per record kind (and cohort)."""
	problems = rules_domain.rule_problems(to_domain(doc))
	if problems:
		frappe.throw("<br>".join(_(problem) for problem in problems), title=_("Invalid Retention Rule"))
	rule = frappe.qb.DocType(RULE_DOCTYPE)
	same_kind = (rule.record_kind == doc.record_kind) & (rule.name != (doc.name or ""))
	same_kind &= (rule.cohort == doc.cohort) if doc.cohort else (Coalesce(rule.cohort, "") == "")
	other = frappe.qb.from_(rule).select(rule.name).where(same_kind).limit(1).run(pluck=True)
	if other:
		frappe.throw(
			_("Retention Rule {0} already covers {1} {2}.").format(
				frappe.bold(other[0]), _(doc.record_kind), _(doc.cohort or "")
			),
			title=_("Duplicate Retention Rule"),
		)


def site_rules() -> dict[tuple[RecordKind, Cohort | None], tuple[str, RetentionRule]]:
	"""Every Retention Rule by (record kind, cohort): its name and the pure rule."""
	docs = frappe.get_all(RULE_DOCTYPE, fields=["*"])
	return {
		(RecordKind(doc.record_kind), Cohort(doc.cohort) if doc.cohort else None): (doc.name, to_domain(doc))
		for doc in docs
	}


# --- what is due ------------------------------------------------------------------------------------------


def due_records(on_date: date | str | None = None, kinds: tuple[str, ...] | None = None) -> list[DueRecord]:
	"""Every record past its retention period on ``on_date`` (not on legal hold), oldest end first."""
	on_date = getdate(on_date or today())
	rules = site_rules()
	found: list[DueRecord] = []
	for kind, collect in (
		(RecordKind.CHILD_CASE_RECORD, _due_children),
		(RecordKind.SCHOOL_CONTACT, _due_school_contacts),
		(RecordKind.IMPORT_SOURCE_FILE, _due_import_files),
		(RecordKind.ACCESS_LOG, _due_access_logs),
	):
		if kinds and kind.value not in kinds:
			continue
		kind_rules = {cohort: named for (rule_kind, cohort), named in rules.items() if rule_kind == kind}
		if kind_rules:
			found.extend(collect(kind_rules, on_date))
	return sorted(found, key=lambda due: (due.retention_end, due.reference_doctype, due.reference_name or ""))


def ever_looked_after(child):
	"""Criterion: the child was looked after by this council (reg 50 keeps their case record to 75)."""
	return (child.cohort == Cohort.LOOKED_AFTER.value) | child.date_entered_care.isnotnull()


def _due_children(kind_rules: dict, on_date: date) -> list[DueRecord]:
	child = frappe.qb.DocType("Child")
	found = []
	for cohort, (rule_name, rule) in kind_rules.items():
		bound = rules_domain.latest_anchor_past_retention(rule, on_date)
		if cohort == Cohort.LOOKED_AFTER:
			in_rule = ever_looked_after(child)
		else:
			in_rule = (child.cohort == cohort.value) & ~ever_looked_after(child)
		query = frappe.qb.from_(child).select(
			child.name, child.full_name, child.cohort, child.date_of_birth, child.date_of_death
		)
		rows = query.where((child.date_of_birth <= bound) & in_rule & (child.legal_hold == 0)).run(
			as_dict=True
		)
		if rule.years_after_death:  # the rule on death only shortens: the few who died, born after the bound
			rows += query.where(
				child.date_of_death.isnotnull()
				& (child.date_of_birth > bound)
				& in_rule
				& (child.legal_hold == 0)
			).run(as_dict=True)
		for row in rows:
			end = rules_domain.retention_end(
				rule, date_of_birth=row.date_of_birth, date_of_death=row.date_of_death
			)
			if end is None or end >= on_date:
				continue
			found.append(
				DueRecord(
					record_kind=RecordKind.CHILD_CASE_RECORD.value,
					reference_doctype="Child",
					reference_name=row.name,
					description=row.full_name or row.name,
					retention_rule=rule_name,
					retention_end=end,
					cohort=row.cohort,
				)
			)
	return found


def _due_school_contacts(kind_rules: dict, on_date: date) -> list[DueRecord]:
	rule_name, rule = kind_rules[None]
	bound = rules_domain.latest_anchor_past_retention(rule, on_date)
	contact = frappe.qb.DocType("School Contact")
	rows = (
		frappe.qb.from_(contact)
		.select(contact.name, contact.full_name, contact.school, Date(contact.modified).as_("inactive_since"))
		.where((contact.is_active == 0) & (contact.modified < bound + timedelta(days=1)))
		.run(as_dict=True)
	)
	return [
		DueRecord(
			record_kind=RecordKind.SCHOOL_CONTACT.value,
			reference_doctype="School Contact",
			reference_name=row.name,
			description=_("{0} ({1}), inactive").format(row.full_name, row.school),
			retention_rule=rule_name,
			retention_end=rules_domain.retention_end(rule, last_activity=getdate(row.inactive_since)),
		)
		for row in rows
	]


def _due_import_files(kind_rules: dict, on_date: date) -> list[DueRecord]:
	rule_name, rule = kind_rules[None]
	bound = rules_domain.latest_anchor_past_retention(rule, on_date)
	log, file = frappe.qb.DocType("Import Log"), frappe.qb.DocType("File")
	imported = Coalesce(log.imported_on, log.creation)
	rows = (
		frappe.qb.from_(log)
		.join(file)
		.on((file.attached_to_doctype == "Import Log") & (file.attached_to_name == log.name))
		.select(log.name, log.import_type, Max(Date(imported)).as_("imported"), Count(file.name).as_("files"))
		.where(imported < bound + timedelta(days=1))
		.groupby(log.name, log.import_type)
		.run(as_dict=True)
	)
	return [
		DueRecord(
			record_kind=RecordKind.IMPORT_SOURCE_FILE.value,
			reference_doctype="Import Log",
			reference_name=row.name,
			description=_("{0} import: {1} source file(s)").format(_(row.import_type or ""), row.files),
			retention_rule=rule_name,
			retention_end=rules_domain.retention_end(rule, last_activity=getdate(row.imported)),
			records=row.files,
		)
		for row in rows
	]


def _due_access_logs(kind_rules: dict, on_date: date) -> list[DueRecord]:
	rule_name, rule = kind_rules[None]
	bound = rules_domain.latest_anchor_past_retention(rule, on_date)
	found = []
	for doctype in ACCESS_LOG_DOCTYPES:
		if not frappe.db.table_exists(doctype):
			continue
		table = frappe.qb.DocType(doctype)
		count = (
			frappe.qb.from_(table)
			.select(Count("*"))
			.where(table.creation < bound + timedelta(days=1))
			.run()[0][0]
		)
		if count:
			found.append(
				DueRecord(
					record_kind=RecordKind.ACCESS_LOG.value,
					reference_doctype=doctype,
					reference_name=None,
					description=_("{0} rows written on or before {1}").format(count, bound),
					retention_rule=rule_name,
					retention_end=rules_domain.retention_end(rule, last_activity=bound),
					records=count,
				)
			)
	return found


def access_log_bound(rule_name: str, on_date: date) -> date:
	"""The last day an access log row may have been written to be past ``rule_name`` on ``on_date``."""
	rule = to_domain(frappe.get_doc(RULE_DOCTYPE, rule_name))
	return rules_domain.latest_anchor_past_retention(rule, getdate(on_date))


def as_rows(due: list[DueRecord]) -> list[dict]:
	return [asdict(record) for record in due]


# --- the daily job ----------------------------------------------------------------------------------------


def review_daily(on_date: date | str | None = None) -> Counter:
	"""Daily (scheduler_events): tell each Virtual School Head how many records are past retention.

	Never disposes of anything. One notification per Head per day (run twice, it adds nothing), naming no
	record: the Retention Review report lists them to those who may read it.
	"""
	on_date = getdate(on_date or today())
	counts = Counter(due.record_kind for due in due_records(on_date))
	if not counts:
		return counts
	subject = _("Retention review: {0} past their retention period on {1}").format(
		", ".join(f"{count} {_(kind)}" for kind, count in sorted(counts.items())), on_date
	)
	for user in heads():
		already = frappe.db.exists(
			"Notification Log", {"for_user": user, "subject": subject, "creation": (">=", on_date)}
		)
		if not already:
			frappe.get_doc(
				{
					"doctype": "Notification Log",
					"for_user": user,
					"type": "Alert",
					"subject": subject,
					"link": f"/app/query-report/{REVIEW_REPORT}",
				}
			).insert(ignore_permissions=True)
	return counts


def heads() -> list[str]:
	has_role, user = frappe.qb.DocType("Has Role"), frappe.qb.DocType("User")
	return (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(user.name)
		.distinct()
		.where((has_role.parenttype == "User") & (has_role.role == VIRTUAL_SCHOOL_HEAD) & (user.enabled == 1))
		.run(pluck=True)
	)
