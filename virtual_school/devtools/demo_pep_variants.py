"""Demo: early years and post-16 PEPs (issue #23 item 3) for the demo's looked-after children of those ages.

Reception children get an early years PEP (setting, early learning goals judged Emerging or Expected, the Early
Years Pupil Premium), Year 12 and 13 young people a post-16 PEP (course, provider, qualification aims, bursary,
NEET risk, next step): last term's, approved, and this term's, in progress. Every PEP the demo wrote in bulk
gets its variant from the child's age (``peps.variants.fill_variants``).
"""

import random
from datetime import timedelta

import frappe
from frappe.utils import getdate, today

from virtual_school.children.vocabulary import ACTIVE, LOOKED_AFTER
from virtual_school.domain import school_days
from virtual_school.domain.pep_variants import EARLY_LEARNING_GOALS, EYFS_JUDGEMENTS, PepVariant
from virtual_school.peps.variants import fill_variants

PER_VARIANT = 6
COURSES = (
	(
		"A levels: Biology, Chemistry, Psychology",
		"Oakfield Sixth Form",
		"A level Biology",
		"Level 3",
		"C",
		"B",
	),
	("BTEC Extended Diploma in Sport", "Riverside College", "BTEC Level 3 Sport", "Level 3", "M", "D"),
	("Level 2 Construction", "Northgate Training", "Diploma in Site Carpentry", "Level 2", "Pass", "Merit"),
	("T Level in Digital Production", "Riverside College", "T Level Digital", "Level 3", "Pass", "Merit"),
)


def create_pep_variants(rng: random.Random) -> int:
	"""The demo's early years and post-16 PEPs; returns how many PEPs now have a variant they lacked."""
	on_date = getdate(today())
	children = {
		PepVariant.EARLY_YEARS: _children("EYFS"),
		PepVariant.POST_16: _children("KS5"),
	}
	for variant, names in children.items():
		for number, child in enumerate(names):
			# last term's PEP, approved, and this term's, in progress
			for due, state in (
				(on_date - timedelta(days=100), "Approved"),
				(on_date + timedelta(days=20), "Draft"),
			):
				values = (
					_early_years(rng, number) if variant == PepVariant.EARLY_YEARS else _post_16(rng, number)
				)
				doc = frappe.get_doc(
					{
						"doctype": "Personal Education Plan",
						"child": child,
						"due_date": due,
						"academic_year": school_days.academic_year_of(due),
						"meeting_date": due - timedelta(days=rng.randint(1, 10))
						if state != "Draft"
						else None,
						"child_views": rng.choice(VIEWS[variant]),
						"education_history": "Attended two settings before this one; moved with the placement.",
						"conduct_record": "No suspensions. Praised for helping others.",
						"achievements": rng.choice(ACHIEVEMENTS[variant]),
						"leisure_interests": rng.choice(("Swimming", "Drawing", "Football club", "Music")),
						"targets": [dict(zip(("area", "target"), rng.choice(TARGETS[variant]), strict=True))],
						**values,
					}
				).insert(ignore_permissions=True)
				if state == "Approved":
					frappe.db.set_value(
						"Personal Education Plan",
						doc.name,
						{
							"workflow_state": state,
							"completed_on": due - timedelta(days=1),
							"qa_rating": "Green",
							"qa_voice_rating": "Green",
						},
						update_modified=False,
					)
	return fill_variants()


def _children(key_stage: str) -> list[str]:
	return frappe.get_all(
		"Child",
		filters={
			"cohort": LOOKED_AFTER,
			"status": ACTIVE,
			"key_stage": key_stage,
			"caseworker": ("is", "set"),
		},
		pluck="name",
		order_by="name",
		limit_page_length=PER_VARIANT,
	)


def _early_years(rng: random.Random, number: int) -> dict:
	goals = [
		{"area": area, "goal": goal, "judgement": rng.choice(EYFS_JUDGEMENTS), "next_steps": ""}
		for area, area_goals in EARLY_LEARNING_GOALS.items()
		for goal in area_goals
	]
	claimed = number % 2 == 0
	return {
		"ey_setting_type": "School nursery or Reception class",
		"ey_setting_name": "Reception class",
		"early_learning_goals": goals,
		"eypp_claimed": 1 if claimed else 0,
		"eypp_amount": 570 if claimed else 0,
		"eypp_use": "Speech and language sessions twice a week" if claimed else None,
	}


def _post_16(rng: random.Random, number: int) -> dict:
	course, provider, qualification, level, predicted, target = COURSES[number % len(COURSES)]
	risk = ("Low", "Low", "Medium", "High")[number % 4]
	return {
		"post16_course": course,
		"post16_provider": provider,
		"attendance_percent": rng.choice((78.0, 88.5, 94.0, 97.5)),
		"qualification_aims": [
			{
				"qualification": qualification,
				"level": level,
				"predicted_grade": predicted,
				"target_grade": target,
			},
			{
				"qualification": "GCSE English resit",
				"level": "Level 2",
				"predicted_grade": "4",
				"target_grade": "4",
			},
		],
		"bursary_status": (
			"Awarded and being paid",
			"Applied, awaiting a decision",
			"Eligible, not yet applied",
		)[number % 3],
		"neet_risk": risk,
		"neet_risk_detail": None
		if risk == "Low"
		else "Attendance fell after a placement move; mentor in place.",
		"next_step_plans": "Apprenticeship or university applications with the college's careers adviser.",
	}


VIEWS = {
	PepVariant.EARLY_YEARS: (
		"I like the sand tray and the big bikes. I like my teacher.",
		"My favourite is story time with the puppets.",
	),
	PepVariant.POST_16: (
		"I want to finish my course and get an apprenticeship near my carers.",
		"College is better than school. I need help with money for the bus.",
	),
}
ACHIEVEMENTS = {
	PepVariant.EARLY_YEARS: ("Writes their name", "Counts to 20 confidently", "Made a close friend"),
	PepVariant.POST_16: ("Passed first-year units", "Work placement at a sports centre", "Student rep"),
}
# (area, target): each in an area of its variant (domain.pep_variants.TARGET_AREAS)
TARGETS = {
	PepVariant.EARLY_YEARS: (
		(
			"Personal, social and emotional development",
			"Take turns in a small group game with an adult's help by half-term",
		),
		("Literacy", "Write their first name unaided by Easter"),
	),
	PepVariant.POST_16: (
		("Attendance", "Attend 95% of timetabled sessions this term"),
		("Course and qualifications", "Submit every coursework unit on time this term"),
	),
}
