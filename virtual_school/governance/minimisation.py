"""What the school portal shows and what each generated document carries, field by field (issue #22 item 4).

UK GDPR Art 5(1)(c), data minimisation: a school sees and receives only what it needs for the task. This module
is the one list of those fields; the README's table ("What the portal and letters show") is written from it
(``markdown``), ``docs/data-protection.md`` reads it for "where it is exported", and
``virtual_school/tests/test_minimisation.py`` renders every portal page and writes every document for a child
whose every field holds its own marker, then fails on a marker of a field not listed here (and on a listed
text or date field the page no longer shows, so the list stays exact).

Pure data, no Frappe import (tier-1 tests and the DPIA generator read it without a site).

Each entry maps a doctype to the fields shown, by fieldname; ``name`` is the record's ID (a reference, e.g.
the claim number or a school's URN). ``derived`` says in words what is shown that is computed rather than a
field (a child's initials, a sum).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["DOCUMENTS", "PORTAL_PAGES", "Shown", "fields_shown", "markdown"]

AUTHORITY = (
	"authority_name",
	"virtual_school_name",
	"letter_signatory",
	"letter_signatory_title",
	"reply_address",
	"reply_email",
	"reply_telephone",
)
ADDRESSEE = ("name", "school_name", "headteacher", "street", "town", "postcode")
PUPIL = ("date_of_birth", "year_group", "upn")
INITIALS = "the child's initials (from first and last name), never the name"


@dataclass(frozen=True)
class Shown:
	"""One portal page or one generated document: who sees it, the fields it shows, what it derives."""

	title: str
	audience: str
	fields: dict[str, tuple[str, ...]]
	derived: tuple[str, ...] = ()
	source: str = ""
	notes: str = ""
	conditions: dict[str, str] = field(default_factory=dict)


# The portal pages, by their file name under www/school-portal/ (index is /school-portal).
PORTAL_PAGES: dict[str, Shown] = {
	"index": Shown(
		title="My Pupils (/school-portal)",
		audience="the school's portal users",
		fields={
			"Child": ("first_name", "preferred_name", "last_name", "year_group", "current_school_name"),
			"Personal Education Plan": ("due_date", "workflow_state"),
		},
		derived=("PP+ remaining this funding year (the allocation less approved and paid claims)",),
		source="portal/pages.py pupils_at",
		conditions={"Child.first_name": "only when the child has no preferred name"},
	),
	"attendance": Shown(
		title="Attendance upload (/school-portal/attendance)",
		audience="the school's portal users",
		fields={"School": ("name", "school_name")},
		source="www/school-portal/attendance.py",
		notes="No child data until a file is checked; the check answers with the file's own rows.",
	),
	"peps": Shown(
		title="PEPs (/school-portal/peps)",
		audience="the school's portal users",
		fields={
			"Personal Education Plan": (
				"name",
				"child_name",
				"academic_year",
				"term",
				"due_date",
				"workflow_state",
			),
		},
		source="portal/pages.py peps",
	),
	"pep": Shown(
		title="One PEP, the school's part (/school-portal/pep)",
		audience="the school's portal users",
		fields={
			"Personal Education Plan": (
				"name",
				"child_name",
				"school_name",
				"academic_year",
				"term",
				"due_date",
				"workflow_state",
				"designated_teacher",
				"meeting_date",
				"attendance_percent",
				"child_views",
				"no_views_reason",
				"no_views_detail",
				"qa_comments",
				"qa_rating",
				# the school's part of the PEP's variant (peps/school_part.py, issue #23)
				"conduct_record",
				"achievements",
				"ey_setting_type",
				"ey_setting_name",
				"post16_course",
				"post16_provider",
				"bursary_status",
				"next_step_plans",
			),
			"PEP Target": ("area", "target", "success_measure", "pp_plus_funded", "progress_rag"),
			"PEP Attainment": ("subject", "current", "target"),
			"PEP Early Learning Goal": ("area", "goal", "judgement", "next_steps"),
			"PEP Qualification Aim": ("qualification", "level", "predicted_grade", "target_grade"),
		},
		source="portal/pages.py pep_for_school, peps/school_part.py",
		conditions={
			"Personal Education Plan.qa_comments": "only once returned or approved",
			"Personal Education Plan.qa_rating": "only once approved",
			"Personal Education Plan.ey_setting_type": "early years PEPs only",
			"Personal Education Plan.ey_setting_name": "early years PEPs only",
			"PEP Early Learning Goal.goal": "early years PEPs only",
			"Personal Education Plan.post16_course": "post-16 PEPs only",
			"Personal Education Plan.post16_provider": "post-16 PEPs only",
			"Personal Education Plan.bursary_status": "post-16 PEPs only",
			"Personal Education Plan.next_step_plans": "post-16 PEPs only",
			"PEP Qualification Aim.qualification": "post-16 PEPs only",
			"PEP Attainment.subject": "not on early years PEPs",
		},
	),
	"place-requests": Shown(
		title="Place requests (/school-portal/place-requests)",
		audience="the portal users of a school asked for a place",
		fields={
			"School Place Request": ("name", "child_name", "year_group", "date_needed", "workflow_state"),
			"School Place Approach": (
				"name",
				"school_name",
				"date_asked",
				"outcome_due",
				"response",
				"response_date",
				"offered_start_date",
				"refusal_reason",
			),
		},
		source="portal/pages.py place_requests",
	),
	"pp-plus": Shown(
		title="PP+ funding (/school-portal/pp-plus)",
		audience="the school's portal users",
		fields={
			"PP Plus Claim": (
				"name",
				"child_name",
				"claim_date",
				"amount",
				"category",
				"pep_target",
				"workflow_state",
				"decision_reason",
			),
			"Personal Education Plan": ("name", "child_name", "term", "academic_year"),
			"PEP Target": ("name", "area", "target"),
		},
		derived=("the funding year claims are filed in",),
		source="portal/pages.py pp_plus_claims, claimable_targets",
		conditions={"PP Plus Claim.decision_reason": "only once approved, rejected or returned"},
	),
	"impact-reports": Shown(
		title="PP+ impact reports (/school-portal/impact-reports)",
		audience="the school's portal users",
		fields={
			"PP Plus Impact Report": (
				"name",
				"school_name",
				"funding_year",
				"term",
				"due_date",
				"workflow_state",
			),
		},
		source="portal/pages.py impact_reports",
	),
	"impact-report": Shown(
		title="One PP+ impact report (/school-portal/impact-report)",
		audience="the school's portal users",
		fields={
			"PP Plus Impact Report": (
				"name",
				"school_name",
				"funding_year",
				"term",
				"due_date",
				"workflow_state",
				"review_comments",
			),
			"PP Plus Impact Row": (
				"name",
				"claim",
				"category",
				"amount",
				"pep_target",
				"what_was_done",
				"impact",
				"target_met",
			),
			"PP Plus Claim": ("child_name",),
			"File": ("file_name",),
		},
		source="portal/pages.py impact_report_for_school",
		conditions={"PP Plus Impact Report.review_comments": "only once returned or accepted"},
	),
	"exclusions": Shown(
		title="Exclusions notified (/school-portal/exclusions)",
		audience="the school's portal users",
		fields={
			"Child": ("name", "first_name", "preferred_name", "last_name"),
			"Exclusion": (
				"name",
				"child_name",
				"school_name",
				"exclusion_type",
				"start_date",
				"school_days",
				"reason",
				"description",
				"notice_date",
				"vsh_told_on",
				"consideration_due",
				"governors_meeting_date",
				"outcome",
			),
		},
		derived=("whether the governing board still has to consider reinstatement",),
		source="exclusions/portal.py pupils_for, notified_exclusions",
		conditions={
			"Child.name": "the pupil chooser's value",
			"Child.first_name": "only when the child has no preferred name",
		},
	),
}

# Every portal page opens with the same header (portal/header.py): the council's virtual school and its logo,
# and the schools the user acts for. Added here to each page, so a new page carries it too.
PORTAL_HEADER: dict[str, tuple[str, ...]] = {
	"Virtual School Settings": ("authority_name", "virtual_school_name", "portal_logo"),
	"School": ("school_name",),
}


def _with_header(shown: Shown) -> Shown:
	fields = dict(shown.fields)
	for doctype, fieldnames in PORTAL_HEADER.items():
		fields[doctype] = tuple(dict.fromkeys((*fields.get(doctype, ()), *fieldnames)))
	return replace(shown, fields=fields)


PORTAL_PAGES = {key: _with_header(shown) for key, shown in PORTAL_PAGES.items()}

# The generated documents (.docx), each attached privately to its record.
DOCUMENTS: dict[str, Shown] = {
	"admission_request": Shown(
		title="Place request: admission request to a school",
		audience="the school asked (its admission authority)",
		fields={
			"Child": PUPIL,
			"School Place Request": ("name", "date_needed", "reason"),
			"School Place Approach": ("outcome_due",),
			"School": ADDRESSEE,
			"Virtual School Settings": AUTHORITY,
		},
		derived=(INITIALS,),
		source="admissions/place_requests.py build_letter; domain/letters.py admission_request_letter",
		conditions={"School Place Approach.outcome_due": "15 school days from the letter when not later"},
	),
	"direction_notice": Shown(
		title="Place request: consultation on a proposed direction (s97B(1))",
		audience="the refusing school's admission authority",
		fields={
			"Child": PUPIL,
			"School Place Request": ("name", "reason", "direction_consulted_on", "representations_due"),
			"School Place Approach": ("response_date", "refusal_reason"),
			"School": (*ADDRESSEE, "trust_name", "la"),
			"Local Authority": ("la_name",),
			"Virtual School Settings": AUTHORITY,
		},
		derived=(INITIALS,),
		source="admissions/place_requests.py build_letter; domain/letters.py direction_notice_letter",
	),
	"decision_to_direct": Shown(
		title="Place request: notice of decision to direct (s97B)",
		audience="the admission authority (governing body, other council or academy trust), copied to the head",
		fields={
			"Child": PUPIL,
			"School Place Request": (
				"name",
				"direction_consulted_on",
				"representations_received_on",
				"direction_notice_on",
			),
			"School": (*ADDRESSEE, "trust_name", "la"),
			"Local Authority": ("la_name",),
			"Virtual School Settings": AUTHORITY,
		},
		derived=(
			INITIALS,
			"the adjudicator window's end and the first day of direction (direction_timeline)",
		),
		source="admissions/place_requests.py build_letter; domain/letters.py decision_to_direct_letter",
	),
	"direction": Shown(
		title="Place request: the direction to admit (s97A)",
		audience="the admission authority (governing body, other council or academy trust), copied to the head",
		fields={
			"Child": PUPIL,
			"School Place Request": (
				"name",
				"direction_notice_on",
				"adjudicator_decided_on",
				"directed_on",
				"start_date",
			),
			"School": (*ADDRESSEE, "trust_name", "la"),
			"Local Authority": ("la_name",),
			"Virtual School Settings": AUTHORITY,
		},
		derived=(INITIALS,),
		source="admissions/place_requests.py build_letter; domain/letters.py direction_letter",
	),
	"secretary_of_state_request": Shown(
		title="Place request: request to the Secretary of State (academy)",
		audience="the Department for Education, copied to the academy and its trust",
		fields={
			"Child": PUPIL,
			"School Place Request": ("name", "reason", "date_needed"),
			"School Place Approach": (
				"school_name",
				"date_asked",
				"response",
				"response_date",
				"refusal_reason",
			),
			"School": ("name", "school_name", "headteacher", "trust_name"),
			"Virtual School Settings": AUTHORITY,
		},
		derived=(INITIALS,),
		source="admissions/place_requests.py build_letter; domain/letters.py secretary_of_state_request_letter",
	),
	"pp_plus_decision": Shown(
		title="PP+ decision letter (approved or rejected)",
		audience="the claiming school",
		fields={
			"Child": PUPIL,
			"PP Plus Claim": (
				"name",
				"amount",
				"category",
				"description",
				"decision_reason",
				"funding_year",
				"workflow_state",
			),
			"School": ADDRESSEE,
			"Virtual School Settings": AUTHORITY,
		},
		derived=(INITIALS,),
		source="pp_plus/documents.py attach_decision_letter; domain/pp_plus_letters.py decision_letter",
	),
	"pp_plus_remittance": Shown(
		title="PP+ remittance advice",
		audience="the school paid",
		fields={
			"PP Plus Payment": ("payment_reference", "payment_date", "funding_year"),
			"PP Plus Payment Claim": ("claim", "category", "amount"),
			"School": ADDRESSEE,
			"Virtual School Settings": AUTHORITY,
		},
		derived=(INITIALS, "the payment's total"),
		source="pp_plus/documents.py attach_remittance_advice; domain/pp_plus_letters.py remittance_advice",
	),
	"pep_export": Shown(
		title="PEP export",
		audience="the PEP's contributors (designated teacher, social worker, carer, IRO)",
		fields={
			"Child": PUPIL,
			"Personal Education Plan": (
				"name",
				"school_name",
				"academic_year",
				"term",
				"due_date",
				"meeting_date",
				"designated_teacher",
				"social_worker",
				"carer_attended",
				"child_views",
				"no_views_reason",
				"no_views_detail",
				"attendance_percent",
				# CPPCR 2010 Sch 1 para 2, every variant (domain/pep_variants.py STATUTORY_CONTENT)
				"education_history",
				"conduct_record",
				"achievements",
				"sen_provision",
				"sen_detail",
				"leisure_interests",
				"carer_role_in_learning",
				# the variant's own part (issue #23)
				"ey_setting_type",
				"ey_setting_name",
				"eypp_claimed",
				"eypp_amount",
				"eypp_use",
				"post16_course",
				"post16_provider",
				"bursary_status",
				"neet_risk",
				"neet_risk_detail",
				"next_step_plans",
				"qa_rating",
				"qa_voice_rating",
				"qa_comments",
			),
			"PEP Target": ("area", "target", "success_measure", "pp_plus_funded", "progress_rag"),
			"PEP Attainment": ("subject", "current", "target"),
			"PEP Early Learning Goal": ("area", "goal", "judgement", "next_steps"),
			"PEP Qualification Aim": ("qualification", "level", "predicted_grade", "target_grade"),
			"Virtual School Settings": ("authority_name", "virtual_school_name"),
		},
		derived=(INITIALS, "whether the carer contributed (not the carer's name)"),
		source="peps/services.py export_pep; domain/pep_document.py pep_document",
		conditions={
			"Personal Education Plan.ey_setting_type": "early years PEPs only",
			"Personal Education Plan.ey_setting_name": "early years PEPs only",
			"Personal Education Plan.eypp_amount": "early years PEPs, when the EYPP is claimed",
			"Personal Education Plan.eypp_use": "early years PEPs, when the EYPP is claimed",
			"PEP Early Learning Goal.goal": "early years PEPs only",
			"Personal Education Plan.post16_course": "post-16 PEPs only",
			"Personal Education Plan.post16_provider": "post-16 PEPs only",
			"Personal Education Plan.bursary_status": "post-16 PEPs only",
			"Personal Education Plan.neet_risk_detail": "post-16 PEPs only",
			"Personal Education Plan.next_step_plans": "post-16 PEPs only",
			"PEP Qualification Aim.qualification": "post-16 PEPs only",
		},
	),
	"annual_report": Shown(
		title="The Virtual School Head's annual report",
		audience="the council (governors, corporate parenting board); published after small-number suppression",
		fields={
			"Child": ("key_stage",),
			"PP Plus Claim": ("category", "amount"),
			"Virtual School Settings": (*AUTHORITY[:4], "suppress_counts_below"),
			"Key Stage Outcome": ("key_stage", "participation"),
			"Outcome National Figure": ("academic_year", "measure", "national_figure", "source"),
		},
		derived=(
			"counts, rates and sums over cohorts: no child-level data; counts below the council's threshold "
			"and what is computed from them are suppressed",
		),
		conditions={
			"Child.key_stage": "as a group label",
			"PP Plus Claim.category": "as a group label",
			"PP Plus Claim.amount": "summed",
			"Virtual School Settings.suppress_counts_below": "in the note on suppressed counts",
			"Key Stage Outcome.key_stage": "as a group label",
			"Key Stage Outcome.participation": "as a group label",
		},
		source="reports/annual_report.py write_annual_report; domain/annual_report.py",
	),
}


def fields_shown(shown: Shown) -> set[tuple[str, str]]:
	"""The (doctype, fieldname) pairs one page or document shows."""
	return {(doctype, fieldname) for doctype, fieldnames in shown.fields.items() for fieldname in fieldnames}


def where_shown() -> dict[tuple[str, str], list[tuple[str, str]]]:
	"""(doctype, fieldname) -> [(page or document, condition)], for the DPIA's "shown outside the desk"."""
	found: dict[tuple[str, str], list[tuple[str, str]]] = {}
	for prefix, table in (("portal", PORTAL_PAGES), ("document", DOCUMENTS)):
		for key, shown in table.items():
			for doctype, fieldname in sorted(fields_shown(shown)):
				condition = shown.conditions.get(f"{doctype}.{fieldname}", "")
				found.setdefault((doctype, fieldname), []).append((f"{prefix}: {key}", condition))
	return found


def markdown() -> str:
	"""The README's table: one row per page or document, the fields it shows grouped by doctype."""
	lines = ["| page or document | shown to | fields (doctype: fields) | derived |", "|---|---|---|---|"]
	for table in (PORTAL_PAGES, DOCUMENTS):
		for shown in table.values():
			groups = []
			for doctype, fieldnames in shown.fields.items():
				names = []
				for fieldname in fieldnames:
					condition = shown.conditions.get(f"{doctype}.{fieldname}")
					names.append(f"`{fieldname}` ({condition})" if condition else f"`{fieldname}`")
				groups.append(f"**{doctype}**: {', '.join(names)}")
			lines.append(
				f"| {shown.title} | {shown.audience} | {'; '.join(groups)} | {'; '.join(shown.derived) or '—'} |"
			)
	return "\n".join(lines) + "\n"
