"""Every field of every app doctype, classified: personal data (why it is held, on what lawful basis, under which
retention rule) or not personal (and why not). The one hand-written input of ``docs/data-protection.md``
(issue #22 item 5); ``governance/dpia.py`` adds who can see each field (DocPerms and permlevels), where it
leaves the app (portal, documents, desk export, subject access) and writes the document.

``tests/test_data_protection_doc.py`` fails when a doctype or field has no entry here, when an entry names a
field that no longer exists, and when the document is stale. A new field needs one line: its category in
``personal`` (with a ``purposes`` line if the doctype's purpose does not cover it, and a ``special`` line for
special category or criminal offence data), or its reason in ``not_personal``.

UK GDPR: a field is personal data when it relates to an identified or identifiable living person (Art 4(1)):
every field of a record about a named child is, including dates, amounts and statuses; so are the names and
user IDs of staff and school contacts. Pure data, no Frappe import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BASES", "CONDITIONS", "DOCTYPES", "FRAPPE_RECORDS", "RETENTION", "Record"]

# --- lawful bases (UK GDPR Art 6) ---------------------------------------------------------------------------
BASES = {
	"child": (
		"Art 6(1)(e) public task, by cohort: looked after: Children Act 1989 s22(3A) (duty to promote the "
		"child's educational achievement) and s22(3B) (the Virtual School Head); previously looked after: "
		"s23ZZA (advice and information); children with a social worker and in kinship care: the council's "
		"functions under s17 with DfE guidance (2021, 2024). Art 6(1)(c) legal obligation for the looked-after "
		"case record: CPPCR 2010 (SI 2010/959) regs 49-50"
	),
	"ssda903": (
		"Art 6(1)(c) legal obligation: the SSDA903 return (Children Act 1989 s83(4)-(5)), received from the "
		"council's social-care system; used under Art 6(1)(e), Children Act 1989 s22(3A)"
	),
	"pep": (
		"Art 6(1)(c) legal obligation: the PEP is part of the looked-after child's care plan (CPPCR 2010 "
		"reg 5(b)(ii), Sch 1); Children Act 1989 s22(3A) and DfE statutory guidance (2018)"
	),
	"admissions": (
		"Art 6(1)(e) public task: Children Act 1989 s22(3A); School Standards and Framework Act 1998 ss96-97C "
		"(directions), School Admissions Code 2021; CPPCR 2010 reg 10 (a KS4 care placement move)"
	),
	"pp_plus": (
		"Art 6(1)(e) public task: Children Act 1989 s22(3A) and the pupil premium conditions of grant "
		"(Education Act 2002 s14), under which the Virtual School Head manages PP+ for looked-after children"
	),
	"exclusions": (
		"Art 6(1)(e) public task: Children Act 1989 s22(3A); School Discipline (Pupil Exclusions and Reviews) "
		"(England) Regulations 2012 (SI 2012/1033), under which the VSH is told of a looked-after child's exclusion"
	),
	"attendance": (
		"Art 6(1)(e) public task: Children Act 1989 s22(3A) and DfE 'Working together to improve school "
		"attendance' (2024): the virtual school monitors its children's attendance"
	),
	"advice": (
		"Art 6(1)(e) public task: Children Act 1989 s23ZZA (advice and information for previously looked-after "
		"children) and the VSH's role for children with a social worker and in kinship care"
	),
	"schools": (
		"Art 6(1)(e) public task: corresponding with schools to carry out the duties above (work contact details)"
	),
	"gias": "Art 6(1)(e) public task: published by the DfE (Get Information About Schools); work contact details",
	"staff": (
		"Art 6(1)(e) public task: running the service accountably (who holds, decided or changed what, and "
		"when); UK GDPR Art 5(2)"
	),
	"imports": (
		"Art 6(1)(e) public task: keeping the records accurate (Art 5(1)(d)); the source files as received, "
		"kept briefly to answer questions about an import"
	),
	"governance": (
		"Art 6(1)(c) legal obligation: UK GDPR Art 5(1)(e) and 5(2) (storage limitation, accountability) and "
		"Art 30; CPPCR 2010 reg 50"
	),
}

# --- conditions for special category (Art 9) and criminal offence data (Art 10) ------------------------------
CONDITIONS = {
	"health": (
		"Art 9 special category (health: special educational needs): Art 9(2)(g) substantial public interest, "
		"DPA 2018 s10(3) and Sch 1 Part 2 para 6 (statutory purposes) and para 18 (safeguarding of children)"
	),
	"offence": (
		"Art 10 criminal offence data (may record alleged offences, remand, police protection or a sentence): "
		"DPA 2018 s10(5) and Sch 1 Part 2 para 6 (statutory purposes) and para 18 (safeguarding of children)"
	),
	"free_text": (
		"Free text may hold special category or criminal offence data: Art 9(2)(g) and Art 10 with DPA 2018 "
		"Sch 1 Part 2 paras 6 and 18; staff are told to write only what the task needs"
	),
}

# --- retention (the Retention Rules shipped by default; Retention Rule doctype, governance/retention.py) -------
RETENTION = {
	"case": (
		"Child case record: looked-after children to the 75th birthday (CPPCR 2010 reg 50), rule "
		"'Looked-after children's case records'; other cohorts to the 18th birthday + 7 years (local: confirm "
		"with your records manager), rules '<cohort> case records'. A legal hold stops disposal"
	),
	"contact": ("School contact: while active, then 1 year (local), rule 'School contacts and portal users'"),
	"import": (
		"Import source file: 90 days after the import (local), rule 'Import source files'; the log's counts "
		"and summary stay with the log"
	),
	"access": "Access log: 2 years (local), rule 'Access logs'",
	"school": "Schools: public GIAS data, refreshed weekly and kept while the school is referenced",
	"config": "Configuration: kept while in use",
	"certificate": "Disposal certificate: kept as the permanent, anonymous record of a disposal",
	"batch": "Disposal batch: removed when its disposal is confirmed (the certificate remains)",
	"report": "Annual Report Run: the council's schedule for published reports (aggregates only)",
}


@dataclass(frozen=True)
class Record:
	"""One doctype: whose data it holds, why, on what basis, how long; each field personal or not."""

	about: str
	purpose: str
	basis: str
	retention: str
	personal: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category -> fields
	not_personal: dict[str, tuple[str, ...]] = field(default_factory=dict)  # reason -> fields
	purposes: dict[str, str] = field(default_factory=dict)  # field -> purpose, where not the doctype's
	special: dict[str, str] = field(default_factory=dict)  # field -> CONDITIONS key
	bases: dict[str, str] = field(default_factory=dict)  # field -> BASES key, where not the doctype's


IDENTITY = "identity"
DOB = "date of birth"
CONTACT = "contact details"
CARE = "care and legal status"
EDUCATION = "education"
SEN = "special educational needs"
FREE_TEXT = "free text"
FUNDING = "PP+ funding"
CASE = "case management"
STAFF = "staff identity"
TRAINING = "training and qualification"
FILE = "attachment"

REFERENCE = "a reference to another record or a fixed list; the personal data is in the record it names"
DERIVED_COPY = "copied from the linked record for lists; classified there"
TECHNICAL = "technical: a hash or key for change detection, not about a person"
CONFIG = "configuration, not about a person"
STATE = "workflow or record state"

DOCTYPES: dict[str, Record] = {
	"Child": Record(
		about="the child",
		purpose="identify the child and know their care, school and needs, to promote their education",
		basis="child",
		retention="case",
		personal={
			IDENTITY: (
				"first_name",
				"last_name",
				"preferred_name",
				"full_name",
				"upn",
				"social_care_id",
				"gender",
			),
			DOB: ("date_of_birth",),
			EDUCATION: (
				"year_group",
				"key_stage",
				"current_school",
				"current_school_name",
				"current_attendance_basis",
				"current_placement",
			),
			SEN: ("sen_provision",),
			CARE: (
				"cohort",
				"legal_status",
				"date_entered_care",
				"date_left_care",
				"date_of_death",
				"responsible_la",
				"resident_la",
				"out_of_authority",
				"care_history_uncertain",
				"emergency_placement",
				"legal_status_notes",
			),
			CONTACT: ("carer_name", "carer_phone", "carer_address", "placement_address"),
			STAFF: (
				"caseworker",
				"caseworker_name",
				"social_worker_name",
				"social_worker_email",
				"social_worker_user",
			),
			CASE: ("status", "workflow_state", "legal_hold", "legal_hold_reason"),
		},
		not_personal={TECHNICAL: ("ssda903_fingerprint",)},
		purposes={
			"sen_provision": "plan support and school places for a child with SEN or an EHC plan",
			"carer_name": "contact the carer about the child's education (restricted: permlevel 1)",
			"carer_phone": "contact the carer about the child's education (restricted: permlevel 1)",
			"carer_address": "know where the child lives, for school places and transport (restricted)",
			"placement_address": "know where the child is placed, for school places (restricted)",
			"legal_status_notes": "context for the legal status (restricted)",
			"caseworker": "who holds the case: decides who may see the child (caseload)",
			"social_worker_name": "contact the child's social worker",
			"social_worker_email": "contact the child's social worker",
			"social_worker_user": "who the child's social worker is on the desk: decides who may see the child (caseload)",
			"date_of_death": "keep the case record for the period reg 50 sets after a death (restricted)",
			"legal_hold": "stop disposal while a claim, inquiry or request needs the record",
			"legal_hold_reason": "why disposal is stopped",
		},
		special={
			"sen_provision": "health",
			"legal_status": "offence",
			"legal_status_notes": "offence",
			"legal_hold_reason": "free_text",
		},
		bases={
			"legal_status": "ssda903",
			"date_entered_care": "ssda903",
			"date_left_care": "ssda903",
			"social_care_id": "ssda903",
			"care_history_uncertain": "ssda903",
		},
	),
	"Care Episode": Record(
		about="the child",
		purpose="the child's periods of care, from the SSDA903 return (dates, legal status, placement)",
		basis="ssda903",
		retention="case",
		personal={
			CARE: (
				"start_date",
				"reason_new_episode",
				"legal_status",
				"placement_type",
				"placement_provider",
				"placement_postcode",
				"placement_la",
				"urn",
				"end_date",
				"reason_ceased",
				"reason_place_change",
			),
		},
		special={"legal_status": "offence", "reason_new_episode": "offence"},
	),
	"Care Review": Record(
		about="the child",
		purpose="the child's statutory care reviews and participation (SSDA903)",
		basis="ssda903",
		retention="case",
		personal={CARE: ("review_date", "participation")},
	),
	"Child Status History": Record(
		about="the child",
		purpose="the audit of the case's workflow states",
		basis="staff",
		retention="case",
		personal={CASE: ("state", "changed_on", "effective_on", "cohort", "reason"), STAFF: ("changed_by",)},
	),
	"Care Placement Move": Record(
		about="the child",
		purpose="a care placement move of a key stage 4 pupil: the nominated officer's approval (CPPCR 2010 reg 10)",
		basis="admissions",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			CARE: (
				"move_date",
				"key_stage",
				"disrupts_education",
				"reg10_exception",
				"nominated_officer",
				"nominated_officer_approved",
				"approved_on",
				"designated_teacher_consulted",
				"iro_consulted",
				"reg10_applies",
				"reg10_warning",
			),
			STAFF: ("caseworker",),
			FREE_TEXT: ("notes",),
		},
		special={"notes": "free_text"},
	),
	"Education Placement": Record(
		about="the child",
		purpose="the child's school history: where and when on roll, the current school",
		basis="child",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			EDUCATION: (
				"school",
				"school_name",
				"start_date",
				"end_date",
				"attendance_basis",
				"reason_for_leaving",
			),
			FREE_TEXT: ("notes",),
		},
		special={"notes": "free_text"},
	),
	"School Place Request": Record(
		about="the child",
		purpose="find the child a school place in time: schools asked, answers, clocks, directions",
		basis="admissions",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			EDUCATION: (
				"year_group",
				"key_stage",
				"cohort",
				"date_needed",
				"reason",
				"target_date",
				"days_without_place",
				"days_beyond_target",
				"has_offer",
				"has_refusal",
				"refusing_school",
				"refusing_school_route",
				"direction_consulted_on",
				"representations_due",
				"direction_notice_on",
				"direction_effective_on",
				"secretary_of_state_referred_on",
				"admitting_school",
				"admitting_school_name",
				"start_date",
				"education_placement",
				"opened_on",
				"admission_route",
				"admission_authority",
				"direction_possible",
				"route_addressee",
				"representations_received_on",
				"notice_from",
				"referral_window_ends",
				"referred_to_adjudicator_on",
				"adjudicator_outcome",
				"adjudicator_decided_on",
				"directed_on",
				"council_admission_decided_on",
			),
			SEN: (
				"ehcp_school",
				"ehcp_consulted_on",
				"ehcp_response_due",
				"ehcp_response",
				"ehcp_response_on",
			),
			CARE: (
				"reg10_required",
				"reg10_approved_on",
				"designated_teacher_consulted",
				"iro_consulted",
				"reg10_satisfied",
				"care_placement_move",
				"reg10_warning",
			),
			STAFF: ("caseworker", "nominated_officer"),
			CASE: ("escalation_level", "workflow_state"),
			FREE_TEXT: ("notes", "route_reason"),
		},
		purposes={
			"ehcp_school": "consult the school named for a child with an EHC plan (Children and Families Act 2014 "
			"s39)",
			"route_reason": "why this admission route applies (derived from the child, the school and the law)",
		},
		special={
			"notes": "free_text",
			"route_reason": "free_text",
			"ehcp_school": "health",
			"ehcp_consulted_on": "health",
			"ehcp_response_due": "health",
			"ehcp_response": "health",
			"ehcp_response_on": "health",
		},
	),
	"School Place Approach": Record(
		about="the child (and the school asked)",
		purpose="each school asked for a place: when, the answer, the reason for a refusal",
		basis="admissions",
		retention="case",
		personal={
			EDUCATION: (
				"school",
				"school_name",
				"admissions_route",
				"date_asked",
				"outcome_due",
				"response",
				"response_date",
				"offered_start_date",
				"late_answer_flagged_on",
			),
			FREE_TEXT: ("refusal_reason",),
		},
		special={"refusal_reason": "free_text"},
	),
	"Personal Education Plan": Record(
		about="the child",
		purpose="the child's PEP: meeting, contributors, the child's views, the social-care part, attendance, targets, QA",
		basis="pep",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			EDUCATION: (
				"key_stage",
				"school",
				"school_name",
				"academic_year",
				"term",
				"due_date",
				"due_rule",
				"meeting_date",
				"completed_on",
				"attendance_percent",
				"qa_rating",
				"qa_voice_rating",
				"no_views_reason",
				"carer_attended",
				# the PEP's variant by age and its own fields (issue #23 item 3, domain/pep_variants.py)
				"pep_variant",
				"ey_setting_type",
				"ey_setting_name",
				"eypp_claimed",
				"post16_course",
				"post16_provider",
				"bursary_status",
				"neet_risk",
			),
			SEN: ("sen_provision", "sen_detail"),
			FUNDING: ("eypp_amount",),
			STAFF: ("caseworker", "designated_teacher", "social_worker"),
			FREE_TEXT: (
				"child_views",
				"no_views_detail",
				"qa_comments",
				"education_history",
				"conduct_record",
				"achievements",
				"leisure_interests",
				"eypp_use",
				"neet_risk_detail",
				"next_step_plans",
			),
			CASE: ("escalation_level", "workflow_state"),
			# the social worker's part (CPPCR 2010 Sch 1 para 2): never on the portal or a school's letter
			CARE: (
				"care_plan_context",
				"placement_stability",
				"placement_stability_detail",
				"carer_role_in_learning",
			),
		},
		special={
			"child_views": "free_text",
			"no_views_detail": "free_text",
			"qa_comments": "free_text",
			"care_plan_context": "free_text",
			"placement_stability_detail": "free_text",
			"carer_role_in_learning": "free_text",
			"sen_provision": "health",
			"sen_detail": "health",
			"conduct_record": "free_text",
			"education_history": "free_text",
			"achievements": "free_text",
			"leisure_interests": "free_text",
			"eypp_use": "free_text",
			"neet_risk_detail": "free_text",
			"next_step_plans": "free_text",
		},
	),
	"PEP Early Learning Goal": Record(
		about="the child",
		purpose="an early years PEP's areas of learning and early learning goals, judged Emerging or Expected",
		basis="pep",
		retention="case",
		personal={EDUCATION: ("area", "goal", "judgement"), FREE_TEXT: ("next_steps",)},
		special={"next_steps": "free_text"},
	),
	"PEP Qualification Aim": Record(
		about="the young person",
		purpose="a post-16 PEP's qualification aims with predicted and target grades",
		basis="pep",
		retention="case",
		personal={EDUCATION: ("qualification", "level", "predicted_grade", "target_grade")},
	),
	"PEP Target": Record(
		about="the child",
		purpose="the PEP's SMART targets and progress",
		basis="pep",
		retention="case",
		personal={
			EDUCATION: ("area", "pp_plus_funded", "progress_rag"),
			FREE_TEXT: ("target", "success_measure"),
		},
		special={"target": "free_text", "success_measure": "free_text"},
	),
	"PEP Attainment": Record(
		about="the child",
		purpose="the child's attainment per subject, current and target",
		basis="pep",
		retention="case",
		personal={EDUCATION: ("subject", "scale", "current", "target")},
	),
	"PP Plus Claim": Record(
		about="the child",
		purpose="a school's claim on the child's PP+: what for, how much, the decision and payment",
		basis="pp_plus",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			EDUCATION: ("school", "school_name", "personal_education_plan", "pep_target"),
			FUNDING: ("funding_year", "claim_date", "term", "amount", "category", "decided_on", "payment"),
			FREE_TEXT: ("description", "decision_reason"),
			FILE: ("evidence",),
			STAFF: ("caseworker", "requester", "submitted_by", "approver"),
			CASE: ("workflow_state",),
		},
		special={"description": "free_text", "decision_reason": "free_text", "evidence": "free_text"},
	),
	"PP Plus Impact Report": Record(
		about="the school (its rows are about children)",
		purpose="a school's termly report on what PP+ achieved",
		basis="pp_plus",
		retention="case",
		personal={
			CASE: (
				"term_end",
				"due_date",
				"reminded_on",
				"submitted_on",
				"escalation_level",
				"workflow_state",
			),
			FREE_TEXT: ("review_comments",),
		},
		not_personal={REFERENCE: ("school", "school_name", "funding_year", "term")},
		special={"review_comments": "free_text"},
	),
	"PP Plus Impact Row": Record(
		about="the child",
		purpose="what one funded claim did for the child's PEP target",
		basis="pp_plus",
		retention="case",
		personal={
			IDENTITY: ("child",),
			FUNDING: ("claim", "category", "amount"),
			EDUCATION: ("pep_target", "target_met"),
			FREE_TEXT: ("what_was_done", "impact"),
		},
		special={"what_was_done": "free_text", "impact": "free_text"},
	),
	"PP Plus Payment": Record(
		about="the school (its rows are about children)",
		purpose="one PP+ payment to a school",
		basis="pp_plus",
		retention="case",
		personal={},
		not_personal={
			REFERENCE: ("school", "school_name", "funding_year", "amended_from"),
			"a payment to a school, not about a person": ("payment_date", "payment_reference", "total"),
		},
	),
	"PP Plus Payment Claim": Record(
		about="the child",
		purpose="a claim paid in a payment (the remittance lists the child by initials)",
		basis="pp_plus",
		retention="case",
		personal={IDENTITY: ("child",), FUNDING: ("claim", "category", "amount")},
	),
	"PP Plus Funding Year": Record(
		about="nobody",
		purpose="the PP+ grant rate and allocation per financial year",
		basis="pp_plus",
		retention="config",
		not_personal={
			CONFIG: (
				"label",
				"start_date",
				"end_date",
				"rate_per_child",
				"top_slice_percent",
				"per_child_allocation",
				"summer_cap",
				"autumn_cap",
				"spring_cap",
			)
		},
	),
	"Exclusion": Record(
		about="the child",
		purpose="a suspension or exclusion: the statutory steps and clocks, the VSH's involvement",
		basis="exclusions",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			EDUCATION: (
				"cohort",
				"school",
				"school_name",
				"exclusion_type",
				"start_date",
				"school_days",
				"reason",
				"description",
				"notice_date",
				"vsh_told_on",
				"social_worker_told_on",
				"misses_public_examination",
				"examination_date",
				"representations_made",
				"term_total_school_days",
				"year_total_school_days",
				"governors_must_consider",
				"consideration_due",
				"consideration_school_days",
				"consideration_rule",
				"governors_meeting_date",
				"outcome",
				"rule_checks",
			),
			STAFF: ("caseworker",),
		},
		special={"reason": "offence", "description": "free_text"},
	),
	"Key Stage Outcome": Record(
		about="the child",
		purpose="the child's result at the end of a key stage (or what they do after Year 11), counted in the "
		"annual report's outcomes for the looked-after cohort",
		basis="child",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			EDUCATION: (
				"academic_year",
				"key_stage",
				"good_level_of_development",
				"ks2_reading",
				"ks2_writing",
				"ks2_maths",
				"english_maths_grade_4",
				"attainment_8",
				"participation",
			),
		},
	),
	"Outcome National Figure": Record(
		about="nobody",
		purpose="the published national figure for looked-after children the annual report compares with",
		basis="child",
		retention="config",
		not_personal={CONFIG: ("academic_year", "measure", "national_figure", "source")},
	),
	"Escalation": Record(
		about="the child",
		purpose="a problem raised up the ladder (no school place, overdue PEP, absence, late impact report)",
		basis="child",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name"),
			CASE: (
				"reference_doctype",
				"reference_name",
				"level",
				"status",
				"opened_on",
				"due_date",
				"last_raised_on",
				"trigger_key",
				"workflow_state",
			),
			STAFF: ("escalation_owner",),
			FREE_TEXT: ("reason", "resolution"),
		},
		special={"reason": "free_text", "resolution": "free_text"},
	),
	"Escalation Log": Record(
		about="the child",
		purpose="every level change of an escalation: who, when, to whom",
		basis="staff",
		retention="case",
		personal={
			CASE: ("changed_on", "from_level", "to_level"),
			STAFF: ("changed_by", "assigned_to"),
			FREE_TEXT: ("note",),
		},
		special={"note": "free_text"},
	),
	"Attendance Record": Record(
		about="the child",
		purpose="the child's attendance week by week, as the school sent it",
		basis="attendance",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name", "upn"),
			EDUCATION: (
				"cohort",
				"school",
				"school_name",
				"source",
				"week_starting",
				"academic_year",
				"term",
				"session_codes",
				"possible_sessions",
				"sessions_attended",
				"authorised_absence",
				"unauthorised_absence",
				"suspension_sessions",
				"attendance_percent",
			),
		},
		special={"session_codes": "health"},
		purposes={"session_codes": "the DfE register codes (one, I, M: illness, medical appointments)"},
	),
	"Attendance Term Total": Record(
		about="the child",
		purpose="the child's sessions per term and school (kept by every attendance write)",
		basis="attendance",
		retention="case",
		personal={
			IDENTITY: ("child",),
			EDUCATION: (
				"academic_year",
				"term",
				"school",
				"possible_sessions",
				"sessions_attended",
				"authorised_absence",
				"unauthorised_absence",
				"suspension_sessions",
				"weeks",
			),
		},
	),
	"Attendance Week Total": Record(
		about="nobody (a school's sums over its children)",
		purpose="a school's sessions per week for the attendance chart",
		basis="attendance",
		retention="case",
		not_personal={
			"sums over a school's children, not about one child": (
				"academic_year",
				"term",
				"week_starting",
				"school",
				"possible_sessions",
				"sessions_attended",
				"authorised_absence",
				"unauthorised_absence",
				"suspension_sessions",
				"children",
			)
		},
	),
	"Data Quality Issue": Record(
		about="the child",
		purpose="a value from the SSDA903 import that broke a rule, to fix in the social-care system",
		basis="imports",
		retention="case",
		personal={
			IDENTITY: ("child", "child_name", "social_care_id"),
			CARE: ("value_received",),
			CASE: (
				"status",
				"severity",
				"rule",
				"rule_code",
				"source_column",
				"source_format",
				"source_table",
				"source_file",
				"row_number",
				"first_import_log",
				"first_seen_on",
				"last_import_log",
				"last_seen_on",
				"resolved_on",
				"resolved_by_import_log",
			),
		},
		not_personal={TECHNICAL: ("issue_key",)},
		special={"value_received": "offence"},
		purposes={
			"value_received": "the value as received (may be a date of birth, UPN, postcode or legal status)"
		},
	),
	"Advice Request": Record(
		about="the child (when named) and the person who asked",
		purpose="advice and information given to parents, carers, schools and social workers",
		basis="advice",
		retention="case",
		personal={
			IDENTITY: ("child",),
			CONTACT: ("requester_type", "requester_name", "requester_email"),
			EDUCATION: ("cohort", "school", "topic", "requested_on", "advised_on", "status"),
			FREE_TEXT: ("question", "advice_given"),
			STAFF: ("advised_by",),
		},
		special={"question": "free_text", "advice_given": "free_text"},
	),
	"School": Record(
		about="the school (its headteacher by name)",
		purpose="schools from GIAS: addressing letters, the admissions route, the portal",
		basis="gias",
		retention="school",
		personal={CONTACT: ("headteacher", "telephone", "email")},
		not_personal={
			"public data about an establishment (GIAS)": (
				"urn",
				"school_name",
				"status",
				"admissions_route",
				"admission_authority",
				"direction_route",
				"la",
				"establishment_type",
				"type_group",
				"phase",
				"statutory_low_age",
				"statutory_high_age",
				"trust_name",
				"ukprn",
				"open_date",
				"close_date",
				"website",
				"street",
				"town",
				"postcode",
				"gias_last_imported",
			),
			TECHNICAL: ("gias_fingerprint",),
		},
		purposes={"headteacher": "address letters to the headteacher (published by GIAS)"},
	),
	"School Contact": Record(
		about="a member of school staff",
		purpose="who to contact at a school; a linked user is a portal user for that school",
		basis="schools",
		retention="contact",
		personal={
			CONTACT: ("full_name", "contact_role", "email", "phone"),
			STAFF: ("user", "is_active"),
			TRAINING: ("teacher_status",),
		},
		not_personal={REFERENCE: ("school",)},
		purposes={
			"teacher_status": (
				"check the designated teacher is a qualified teacher or the head (SI 2009/1538 reg 3)"
			),
		},
	),
	"Designated Teacher Training": Record(
		about="a member of school staff (a school contact)",
		purpose=(
			"the training and induction a school contact attended: whether the designated teacher has trained "
			"(Children and Young Persons Act 2008 s20(2); the Designated Teacher Check)"
		),
		basis="schools",
		retention="contact",
		personal={TRAINING: ("training_date", "kind", "provider"), FREE_TEXT: ("notes",)},
		special={"notes": "free_text"},
	),
	"Import Log": Record(
		about="the children in the imported files",
		purpose="one import run: what, who, when, the counts, rejected rows and the source files",
		basis="imports",
		retention="import",
		personal={
			FILE: ("header_file", "episodes_file", "reviews_file", "source_file"),
			FREE_TEXT: ("result", "summary"),
			STAFF: ("imported_by",),
		},
		not_personal={
			"about the import run, not a person": (
				"import_type",
				"status",
				"channel",
				"imported_on",
				"academic_year",
				"school",
				"created_count",
				"updated_count",
				"unchanged_count",
				"rejected_count",
			)
		},
		purposes={
			"header_file": "the SSDA903 file as received (names absent; DOB, UPN, postcode)",
			"episodes_file": "the SSDA903 file as received (placement postcodes, legal status)",
			"reviews_file": "the SSDA903 file as received",
			"source_file": "the attendance or GIAS file as received (UPNs)",
			"result": "rejected rows with their values, to correct the file",
		},
		special={
			"header_file": "offence",
			"episodes_file": "offence",
			"result": "free_text",
		},
	),
	"Annual Report Run": Record(
		about="nobody (aggregates)",
		purpose="the VSH's annual report, kept as written",
		basis="child",
		retention="report",
		personal={STAFF: ("generated_by",)},
		not_personal={
			"aggregates only, no child-level data": ("academic_year", "report_file", "generated_on"),
		},
		bases={"generated_by": "staff"},
	),
	"Retention Rule": Record(
		about="nobody",
		purpose="the retention schedule",
		basis="governance",
		retention="config",
		not_personal={
			CONFIG: (
				"rule_name",
				"record_kind",
				"cohort",
				"authority",
				"basis",
				"age_years",
				"period_years",
				"period_days",
				"years_after_death",
				"died_before_age",
				"source",
				"notes",
			)
		},
	),
	"Disposal Batch": Record(
		about="the records due for disposal",
		purpose="a batch of records past retention, for the Head to confirm",
		basis="governance",
		retention="batch",
		personal={FREE_TEXT: ("notes",)},
		not_personal={STATE: ("review_date",)},
	),
	"Disposal Batch Item": Record(
		about="one record due for disposal",
		purpose="a record in the batch, by reference",
		basis="governance",
		retention="batch",
		personal={IDENTITY: ("reference_name",)},
		not_personal={
			REFERENCE: ("record_kind", "reference_doctype", "retention_rule", "retention_end", "records")
		},
	),
	"Disposal Certificate": Record(
		about="nobody (anonymous)",
		purpose="the anonymous record of a disposal: what, how many, when, by whom, under which rule",
		basis="governance",
		retention="certificate",
		personal={STAFF: ("disposed_by", "requested_by"), FREE_TEXT: ("notes",)},
		not_personal={
			"anonymous counts and rules": ("disposed_on", "disposal_batch", "total_records", "rules")
		},
	),
	"Disposal Certificate Item": Record(
		about="nobody (anonymous)",
		purpose="how many records of one doctype were erased",
		basis="governance",
		retention="certificate",
		not_personal={"anonymous counts": ("document_type", "records")},
	),
	"Local Authority": Record(
		about="nobody",
		purpose="the 153 English local authorities",
		basis="gias",
		retention="config",
		not_personal={CONFIG: ("la_code", "la_name", "region")},
	),
	"Bank Holiday": Record(
		about="nobody",
		purpose="school-day clocks",
		basis="child",
		retention="config",
		not_personal={CONFIG: ("holiday_date", "title", "source")},
	),
	"School Calendar": Record(
		about="nobody",
		purpose="school-day clocks",
		basis="child",
		retention="config",
		not_personal={CONFIG: ("academic_year", "total_school_days", "notes")},
	),
	"School Calendar Term": Record(
		about="nobody",
		purpose="school-day clocks",
		basis="child",
		retention="config",
		not_personal={CONFIG: ("term_name", "start_date", "end_date", "school_days")},
	),
	"School Closure Day": Record(
		about="nobody",
		purpose="school-day clocks",
		basis="child",
		retention="config",
		not_personal={CONFIG: ("closure_date", "reason")},
	),
	"Virtual School Settings": Record(
		about="the authority (and named staff)",
		purpose="the authority's settings; who signs letters and holds escalation levels",
		basis="staff",
		retention="config",
		personal={
			STAFF: ("letter_signatory", "escalation_manager", "escalation_head", "escalation_director")
		},
		purposes={"letter_signatory": "the name that signs every letter"},
		not_personal={
			CONFIG: (
				"authority_name",
				"la",
				"virtual_school_name",
				"letter_signatory_title",
				"current_funding_year",
				"manager_approval_limit",
				"impact_report_due_school_days",
				"impact_reminder_school_days",
				"place_target_school_days",
				"escalation_level_school_days",
				"pep_after_school_move_school_days",
				"attendance_missing_school_days",
				"gias_source_url",
				"portal_logo",
				"reply_address",
				"reply_email",
				"reply_telephone",
				"academy_direction_commenced_on",
				"special_academy_direction_commenced_on",
				"suppress_counts_below",
			)
		},
	),
}

# Frappe's own records that hold personal data about the app's records (not app doctypes: classified here by
# hand, as a whole). Each is readable only by users who may read the record it points at (security/references).
FRAPPE_RECORDS: dict[str, tuple[str, str, str]] = {
	"File": (
		"attachments and generated documents (letters, PEP exports, remittances, import sources, impact "
		"evidence), private, attached to their record",
		"as the record it is attached to",
		"as the record (import source files: `import`)",
	),
	"Version": (
		"every field change of a tracked record (track_changes), with who and when; level 1 values are "
		"stripped for roles without level 1",
		"as the record",
		"as the record",
	),
	"Comment": ("comments and workflow comments on a record", "as the record", "as the record"),
	"ToDo": ("assignments (escalation holders)", "`staff`", "as the record"),
	"Communication": (
		"emails sent from a record (impact report reminders to schools)",
		"`schools`",
		"as the record",
	),
	"Access Log": (
		"who viewed, printed or exported a child's records, when and through which route "
		"(governance/access_log.py)",
		"`governance`",
		"`access`",
	),
	"User": (
		"staff and school portal users: name, email, roles, two-factor secret",
		"`staff`",
		"staff: the council's HR schedule; portal users: `contact`",
	),
}
