"""The annual report on a site: figures worked out by hand on a small world, the .docx opens with headings,
tables and a chart."""

import io
from dataclasses import fields
from datetime import date
from decimal import Decimal

import docx
import frappe
from frappe.tests.utils import change_settings
from frappe.utils import getdate, today

from virtual_school.domain import school_days
from virtual_school.domain.annual_report import AnnualReportFigures
from virtual_school.reports.annual_report import gather_figures, generate
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
)

# A past academic year, so every week has begun; its funding year (the financial year holding 1 September
# 2024) is 2024-25. The school calendar is England's standard pattern: Autumn 1 is Mon 2 Sep to Fri 25 Oct
# 2024, half-term 28 Oct to 1 Nov, Autumn 2 from Mon 4 Nov.
YEAR = "2024-25"
FUNDING_YEAR = "2024-25"


def born_in_year_group(year_group: int) -> date:
	"""A birth date putting a child in ``year_group`` (0 Reception ... 13, -1 nursery age) today:
	aged ``year_group + 4`` on the 31 August that starts today's academic year."""
	start = school_days.academic_year_bounds(school_days.academic_year_of(getdate(today())))[0]
	return date(start.year - year_group - 4, 1, 15)


def change(before: AnnualReportFigures, after: AnnualReportFigures) -> dict:
	"""What the seeded world added to each figure (the site may hold other records): zero changes left out."""
	changed = {}
	for field in fields(AnnualReportFigures):
		if field.name in (
			"academic_year",
			"generated_on",
			"pp_plus_funding_year",
			"median_school_days_to_place",
		):
			continue
		old, new = getattr(before, field.name), getattr(after, field.name)
		if isinstance(new, dict):
			delta = {}
			for key in sorted(set(old) | set(new), key=str):
				if isinstance(new.get(key, old.get(key)), dict):
					inner = {
						name: new.get(key, {}).get(name, 0) - old.get(key, {}).get(name, 0)
						for name in set(old.get(key, {})) | set(new.get(key, {}))
					}
					inner = {name: value for name, value in inner.items() if value}
					if inner:
						delta[key] = inner
				elif new.get(key, 0) != old.get(key, 0):
					delta[key] = new.get(key, 0) - old.get(key, 0)
			if delta:
				changed[field.name] = delta
		elif new != old:
			changed[field.name] = new - old
	return changed


class TestAnnualReport(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		# The children's year groups are today's (born_in_year_group) but the world is fixed in 2024-25 (the
		# nursery-age child entered care on 8 January 2024): from 1 September 2027 that child would be born
		# after entering care. Frozen at a term-time day the world was written for.
		self.enterContext(self.freeze_time(date(2026, 11, 16), tick=True))
		# The council's LA code decides each request's route (admissions.routes, issue #18).
		self.enterContext(change_settings("Virtual School Settings", {"la": "886"}))
		self.year = school_days.academic_year_of(getdate(today()))
		make_child("Annual", cohort="Looked After", date_of_birth=date(2016, 3, 3), out_of_authority=0)
		make_child("Annual", cohort="Kinship Care", date_of_birth=date(2016, 3, 4))

	def test_figures_are_those_worked_out_by_hand(self):
		make_school_calendar(YEAR, school_days.standard_term_pattern(YEAR))
		# PP+ 2024-25: £2,570 a child (STATUTORY.md), 10% kept centrally: £2,313 per child to allocate.
		funding = frappe.get_doc("PP Plus Funding Year", FUNDING_YEAR)
		funding.update({"rate_per_child": 2570, "top_slice_percent": 10})
		funding.save()
		before = gather_figures(YEAR)
		self.assertEqual(before.placed, 0, "the test needs a year without placed requests (for the median)")
		expected = self.seed_world()
		after = gather_figures(YEAR)
		self.assertEqual(change(before, after), expected)
		# Placed requests waited 2 and 10 school days: the median of two is their mean.
		self.assertEqual(after.median_school_days_to_place, 6.0)
		self.assertEqual((after.academic_year, after.pp_plus_funding_year), (YEAR, FUNDING_YEAR))

	def seed_world(self) -> dict:
		"""Seven children, their places, requests, PEPs, claims, exclusions, attendance and escalations in
		2024-25 (and a few just outside it); returns what each figure must gain, reasoned from the rules."""
		maintained = make_school("993101", "Annual Maintained Primary")
		other = make_school("993102", "Annual Second Primary")
		academy = make_school(
			"993103", "Annual Academy", type_group="Academies", establishment_type="Academy converter"
		)

		def child(first, cohort, year_group, **values):
			return make_child(
				first,
				"Annualworld",
				cohort=cohort,
				date_of_birth=born_in_year_group(year_group),
				date_entered_care=date(2024, 1, 8),
				**values,
			).name

		# A: looked after, Year 6 (KS2), lives in Sheffield for Kent (out of authority), SEN support; moved
		# school on Mon 7 Oct 2024. B: looked after, Year 9 (KS3), EHC plan, no school now. C: looked after,
		# nursery age. G: looked after, Year 12 (KS5), no school now. D: looked after but the case is
		# closed (EHC plan, out of authority, Year 5, no school). E: with a social worker. F: kinship care.
		a = child("Ada", "Looked After", 6, resident_la="373", sen_provision="SEN support")
		b = child("Ben", "Looked After", 9, sen_provision="EHC plan")
		child("Cai", "Looked After", -1)
		g = child("Gus", "Looked After", 12)
		d = child("Dot", "Looked After", 5, resident_la="373", sen_provision="EHC plan")
		# 2024-25 is a past year, counted as it was on 31 August 2025: the case closed before then, as its
		# status history records (the state alone is today's)
		frappe.db.set_value("Child", d, {"status": "Closed", "workflow_state": "Closed"})
		frappe.get_doc(
			{
				"doctype": "Child Status History",
				"parent": d,
				"parenttype": "Child",
				"parentfield": "status_history",
				"idx": 99,
				"state": "Closed",
				"changed_on": "2024-07-01 10:00:00",
				"changed_by": "Administrator",
			}
		).db_insert()
		e = child("Eve", "Child with a Social Worker", 4)
		f = child("Fin", "Kinship Care", 7)
		make_placement(a, other, date(2024, 3, 4), date(2024, 10, 4))  # began before the year: not a move
		make_placement(a, maintained, date(2024, 10, 7))  # a school move in the year
		make_placement(e, other, date(2024, 9, 2))  # not looked after: not counted as a move
		make_placement(f, other, date(2024, 9, 2))

		def request(child_name, needed, approaches, state, **values):
			doc = frappe.get_doc(
				{
					"doctype": "School Place Request",
					"child": child_name,
					"date_needed": needed,
					"reason": "Care placement move",
					"approaches": approaches,
					**values,
				}
			).insert()
			frappe.db.set_value("School Place Request", doc.name, "workflow_state", state)
			return doc.name

		def refused(school, asked):
			return {
				"school": school,
				"date_asked": asked,
				"response": "Refused",
				"response_date": asked,
				"refusal_reason": "Year group full",
			}

		# R1 needed Mon 7 Oct, started Wed 9 Oct: 2 school days without a place (Mon, Tue); one refusal.
		r1 = request(
			b,
			date(2024, 10, 7),
			[
				refused(maintained, date(2024, 10, 7)),
				{"school": other, "date_asked": date(2024, 10, 7), "response": "Offered"},
			],
			"Placed",
			admitting_school=other,
			start_date=date(2024, 10, 9),
		)
		# R2 needed Mon 4 Nov, started Mon 18 Nov: 10 school days; the academy refused and was referred to
		# the Secretary of State on 11 Nov.
		request(
			g,
			date(2024, 11, 4),
			[refused(academy, date(2024, 11, 4))],
			"Placed",
			secretary_of_state_referred_on=date(2024, 11, 11),
			admitting_school=other,
			start_date=date(2024, 11, 18),
		)
		# R3 is still open: a request of the year, not placed.
		r3 = request(b, date(2025, 3, 3), [{"school": other, "date_asked": date(2025, 3, 3)}], "Requested")
		# R4 was needed (and refused) in August 2024, the year before; its direction came on 10 Sep 2024.
		request(
			g,
			date(2024, 8, 19),
			# a voluntary aided school: the council directs its governing body (its own community school it
			# would admit itself, never direct: STATUTORY.md section 11)
			[
				refused(
					make_school(
						"993104", "Annual Aided Primary", establishment_type="Voluntary aided school"
					),
					date(2024, 8, 19),
				)
			],
			"Directed",
			direction_consulted_on=date(2024, 8, 30),
			direction_notice_on=date(2024, 9, 10),
		)
		# R5 is needed in September 2025, the next year: nothing of it counts.
		request(b, date(2025, 9, 8), [refused(academy, date(2025, 9, 8))], "Refused")

		def pep(child_name, due, state, completed_on=None, rating="", meeting=None, views=None, voice=""):
			doc = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": child_name,
					"due_date": due,
					"meeting_date": meeting,
					"child_views": views,
				}
			).insert()
			frappe.db.set_value(
				"Personal Education Plan",
				doc.name,
				{
					"workflow_state": state,
					"completed_on": completed_on,
					"qa_rating": rating,
					"qa_voice_rating": voice,
				},
			)
			return doc.name

		# on time = the meeting held by the due date (issue #18; approval may follow); the child's views
		# in their own words in the first (rated green) and not in the second ("n/a" is not a voice)
		pep(
			a,
			date(2024, 10, 15),
			"Approved",
			date(2024, 10, 10),
			"Green",
			date(2024, 10, 8),
			views="I want to stay\n in my football team.",
			voice="Green",
		)  # on time
		pep(a, date(2025, 2, 10), "Approved", date(2025, 2, 20), "Amber", date(2025, 2, 12), "n/a", "Red")
		p3 = pep(b, date(2025, 3, 3), "Draft")  # due, no meeting
		# met on its due day, approved later: on time; not rated
		pep(b, date(2025, 6, 2), "Approved", date(2025, 6, 9), "", date(2025, 6, 2))
		pep(a, date(2025, 9, 15), "Approved", date(2025, 9, 1), "Red", date(2025, 9, 1))  # due next year

		def claim(amount, category, on, state, funding_year=FUNDING_YEAR):
			doc = frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": a,
					"school": maintained,
					"funding_year": funding_year,
					"claim_date": on,
					"amount": amount,
					"category": category,
					"description": "Annual report test",
				}
			).insert()
			frappe.db.set_value("PP Plus Claim", doc.name, "workflow_state", state)

		claim(400, "Tuition", date(2024, 11, 1), "Approved")
		claim(250, "Mentoring", date(2025, 1, 10), "Paid")
		claim(999, "Tuition", date(2025, 1, 20), "Draft")
		claim(120, "Tuition", date(2025, 2, 3), "Rejected")
		claim(300, "Resources", date(2025, 5, 1), "Approved", funding_year="2025-26")  # next funding year

		def exclusion(child_name, school, kind, start, days=0):
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child_name,
					"school": school,
					"exclusion_type": kind,
					"start_date": start,
					"school_days": days,
					"reason": "Damage",
				}
			).insert()

		exclusion(a, maintained, "Suspension", date(2024, 11, 5), 3)
		exclusion(e, other, "Suspension", date(2025, 1, 13), 2)
		exclusion(f, other, "Permanent exclusion", date(2025, 2, 3))
		exclusion(a, other, "Suspension", date(2024, 7, 1), 5)  # the year before

		def week(child_name, school, monday, attended, possible=10):
			frappe.get_doc(
				{
					"doctype": "Attendance Record",
					"child": child_name,
					"school": school,
					"week_starting": monday,
					"possible_sessions": possible,
					"sessions_attended": attended,
					"authorised_absence": possible - attended,
					"unauthorised_absence": 0,
				}
			).insert()

		# A: 17 of 20 sessions, 3 missed = 15%: persistently absent (10% or more), not severely (50%).
		week(a, maintained, date(2024, 10, 7), 9)
		week(a, maintained, date(2024, 10, 14), 8)
		# E: 4 of 10, 6 missed = 60%: severely absent, so persistently absent too.
		week(e, other, date(2024, 9, 9), 4)

		def escalation(doctype, name, opened_on, level=1):
			doc = frappe.get_doc(
				{
					"doctype": "Escalation",
					"reference_doctype": doctype,
					"reference_name": name,
					"reason": "Annual report test",
				}
			)
			doc.flags.on_date = opened_on
			doc.insert()
			frappe.db.set_value("Escalation", doc.name, "level", level)

		escalation("School Place Request", r1, date(2024, 10, 21))
		escalation("Personal Education Plan", p3, date(2025, 3, 10), level=3)
		escalation("School Place Request", r3, date(2025, 9, 10))  # opened next year

		return {
			# Open cases by cohort on 31 August 2025 (the past year's last day, issue #23): A, B, C, G looked
			# after (D's case had closed), E, F.
			"cohort_by_type": {"Child with a Social Worker": 1, "Kinship Care": 1, "Looked After": 4},
			# their key stages then, two years below today's year groups: A Year 4, B Year 7, C nursery age,
			# G Year 10
			"looked_after_by_key_stage": {"Early years": 1, "KS2": 1, "KS3": 1, "KS4": 1},
			"out_of_authority": 1,  # A (D lives out of authority too, but is closed)
			"sen_support": 1,  # A
			"ehc_plans": 1,  # B (not D: closed)
			"school_moves": 1,  # A's place from 7 Oct 2024
			# B and G: looked-after children of school age (Reception to Year 13, as on the daily "children
			# without a school place" report the annual report points to) with no placement on roll on 31
			# August 2025; not C (nursery age) nor D (closed).
			"children_without_place_now": 2,
			"place_requests": 3,  # R1, R2, R3 (needed in the year)
			"placed": 2,  # R1, R2
			"refusals": 2,  # R1 at the maintained school, R2 at the academy (R4's was the year before)
			"directions": 1,  # R4: its direction notice fell in the year
			"secretary_of_state_referrals": 1,  # R2
			# 4 PEPs due in the year, and G: looked after on 31 August 2025 with no PEP (C is nursery age,
			# D's case is closed)
			"peps_due": 5,
			"peps_on_time": 2,  # meeting held on or before the due date
			"pep_qa": {"Amber": 1, "Green": 1, "Not rated": 1},  # approved PEPs due in the year
			"peps_with_voice": 1,  # of those three, only the first has the child's views (issue #23)
			"pep_voice_qa": {"Green": 1, "Not rated": 1, "Red": 1},
			# PP+ is allocated for looked-after children aged 4-15 (Reception to Year 11): A, B and G (Year 10
			# then).
			"pp_plus_allocated": Decimal("6939"),
			"pp_plus_approved": Decimal("400"),
			"pp_plus_paid": Decimal("250"),
			"pp_plus_by_category": {"Mentoring": Decimal("250"), "Tuition": Decimal("400")},
			"suspensions": 2,
			"suspension_days": 5,
			"permanent_exclusions": 1,
			"exclusions_by_cohort": {"Child with a Social Worker": 1, "Kinship Care": 1, "Looked After": 1},
			"attendance_by_cohort": {
				"Child with a Social Worker": {
					"children": 1,
					"possible": 10,
					"attended": 4,
					"persistent": 1,
					"severe": 1,
				},
				"Looked After": {"children": 1, "possible": 20, "attended": 17, "persistent": 1},
			},
			"escalations_opened": 2,
			"escalations_by_level": {1: 1, 3: 1},
		}

	def test_generated_document_opens(self):
		frappe.set_user(head())
		result = generate(self.year)
		document = docx.Document(io.BytesIO(frappe.get_doc("File", result["file"]).get_content()))
		text = "\n".join(paragraph.text for paragraph in document.paragraphs)
		self.assertIn("Personal Education Plans", text)
		self.assertIn("Pupil Premium Plus", text)
		self.assertTrue(document.tables)
		self.assertGreaterEqual(len(document.inline_shapes), 1)
		self.assertNotIn(
			"Annual", [cell.text for table in document.tables for row in table.rows for cell in row.cells]
		)

	def test_only_the_head_and_managers_generate_it(self):
		from virtual_school.tests.utils import caseworker

		frappe.set_user(caseworker(1))
		with self.assertRaises(frappe.PermissionError):
			generate(self.year)
