"""Tier 2: PEPs for every age (issue #23 item 3; ``domain.pep_variants``), as the caseworker who writes them.

A PEP for a 3-year-old is early years, for a Year 5 child school age, for a Year 12 young person post-16,
set by the server from the child's date of birth and the due date; each variant refuses submission without its
own fields (named in the message) and accepts with them, whichever path sets the state; a caseworker cannot
set the variant; the DocType's fields, choices and labels are the domain's (read from the metadata)."""

from datetime import date

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days

from virtual_school.domain import pep_variants, school_days
from virtual_school.domain.pep_variants import PepVariant
from virtual_school.peps.variants import fill_variants
from virtual_school.portal import actions as portal_actions
from virtual_school.portal import pages as portal
from virtual_school.security.system_owned import SystemOwnedFieldError
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	mid_autumn,
)

DOCTYPE = "Personal Education Plan"
EY, SCHOOL, POST16 = PepVariant.EARLY_YEARS, PepVariant.SCHOOL_AGE, PepVariant.POST_16

# What each variant needs beyond the common fields, as a caseworker would fill it in.
VARIANT_VALUES = {
	EY: {
		"ey_setting_type": "Nursery",
		"ey_setting_name": "Little Acorns Nursery",
		"early_learning_goals": [
			{"area": "Communication and language", "goal": "Speaking", "judgement": "Emerging"},
			{"area": "Physical development", "goal": "Fine motor skills", "judgement": "Expected"},
		],
	},
	SCHOOL: {},
	POST16: {
		"post16_course": "Level 3 Extended Diploma in Sport",
		"post16_provider": "Riverside College",
		"attendance_percent": 91.5,
		"qualification_aims": [
			{
				"qualification": "BTEC Level 3 Sport",
				"level": "Level 3",
				"predicted_grade": "M",
				"target_grade": "D",
			}
		],
		"bursary_status": "Awarded and being paid",
		"neet_risk": "Medium",
		"neet_risk_detail": "Attendance dipped after the placement move in October",
		"next_step_plans": "Apprenticeship applications in the spring term",
	},
}


class PepVariantsCase(VirtualSchoolTestCase):
	"""Three children on a caseworker's caseload: 3 years old, in Year 5 and in Year 12 on the due date."""

	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		# dates computed after freezing: the academic year of the frozen day
		start_year = school_days.academic_year_bounds(school_days.academic_year_of(mid_autumn()))[0].year
		self.due = add_days(mid_autumn(), 14)
		self.worker = caseworker(1)
		born = {
			EY: date(start_year - 3, 10, 1),  # 3 on the due date, 2 on 31 August: nursery age
			SCHOOL: date(start_year - 9, 1, 1),  # 9 on 31 August: Year 5
			POST16: date(start_year - 16, 1, 1),  # 16 on 31 August: Year 12
		}
		self.children = {
			variant: make_child(
				variant.value.replace("-", ""), caseworker=self.worker, date_of_birth=dob
			).name
			for variant, dob in born.items()
		}

	def new_pep(self, variant, **values):
		frappe.set_user(self.worker)
		return frappe.get_doc(
			{
				"doctype": DOCTYPE,
				"child": self.children[variant],
				"due_date": self.due,
				"meeting_date": mid_autumn(),
				"child_views": "I like the garden and painting at nursery.",
				"targets": [{"area": "Other", "target": "Settle into the new routine by half-term"}],
				**values,
			}
		).insert()

	def submit(self, pep):
		frappe.set_user(self.worker)
		return apply_workflow(frappe.get_doc(DOCTYPE, pep.name), "Submit PEP")


class TestPepVariants(PepVariantsCase):
	def test_each_age_gets_its_variant(self):
		for variant in PepVariant:
			pep = self.new_pep(variant)
			self.assertEqual(pep.pep_variant, variant.value, variant)
			self.assertEqual(frappe.db.get_value(DOCTYPE, pep.name, "pep_variant"), variant.value)

	def test_each_variant_refuses_submission_without_its_fields_and_accepts_with_them(self):
		for variant in (EY, POST16):
			pep = self.new_pep(variant)
			with self.assertRaises(frappe.ValidationError) as raised:
				self.submit(pep)
			for label in pep_variants.REQUIRED[variant].values():
				if label not in ("Attendance This Term (%)",):  # may be filled from attendance returns
					self.assertIn(label, str(raised.exception), (variant, label))
			self.assertEqual(frappe.db.get_value(DOCTYPE, pep.name, "workflow_state"), "Draft")
			# the other variants' fields are not asked for
			for other in PepVariant:
				for label in pep_variants.REQUIRED[other].values():
					if other is not variant and label not in pep_variants.REQUIRED[variant].values():
						self.assertNotIn(label, str(raised.exception), (variant, label))
			pep = frappe.get_doc(DOCTYPE, pep.name).update(VARIANT_VALUES[variant])
			pep.save()
			self.assertEqual(self.submit(pep).workflow_state, "Submitted", variant)
		# school age: as before (meeting date and targets), now also on paths that bypass the workflow's
		# condition (a System Manager setting the state)
		pep = self.new_pep(SCHOOL, meeting_date=None)
		frappe.set_user("Administrator")
		pep = frappe.get_doc(DOCTYPE, pep.name)
		pep.workflow_state = "Submitted"
		with self.assertRaisesRegex(frappe.ValidationError, "Meeting Date"):
			pep.save()
		pep = frappe.get_doc(DOCTYPE, pep.name).update({"meeting_date": mid_autumn()})
		pep.save()
		self.assertEqual(self.submit(pep).workflow_state, "Submitted")

	def test_conditional_and_row_requirements_name_the_fields(self):
		pep = self.new_pep(EY, **VARIANT_VALUES[EY], eypp_claimed=1, eypp_amount=0)
		with self.assertRaisesRegex(
			frappe.ValidationError, "fill in How the EYPP Is Used.*EYPP Amount: enter the amount"
		):
			self.submit(pep)
		aims = [{"qualification": "A level Biology", "predicted_grade": "C"}]
		pep = self.new_pep(POST16, **{**VARIANT_VALUES[POST16], "qualification_aims": aims})
		with self.assertRaisesRegex(frappe.ValidationError, "Qualification Aims: complete row 1"):
			self.submit(pep)

	def test_targets_are_set_in_the_variants_areas(self):
		"""An early years PEP's maths target is "Mathematics" (the EYFS area), not school age's "Maths"."""
		pep = self.new_pep(EY, targets=[{"area": "Maths", "target": "Count to ten"}], **VARIANT_VALUES[EY])
		with self.assertRaisesRegex(
			frappe.ValidationError, "row 1 is set in Maths, not an area of the Early"
		):
			self.submit(pep)
		self.assertEqual(frappe.db.get_value(DOCTYPE, pep.name, "workflow_state"), "Draft")
		pep = frappe.get_doc(DOCTYPE, pep.name)
		pep.targets[0].area = "Mathematics"
		pep.save()
		self.assertEqual(self.submit(pep).workflow_state, "Submitted")

	def test_a_goal_must_belong_to_its_area(self):
		goals = [{"area": "Literacy", "goal": "Number", "judgement": "Expected"}]
		with self.assertRaisesRegex(frappe.ValidationError, "not an early learning goal of Literacy"):
			self.new_pep(EY, early_learning_goals=goals)

	def test_a_caseworker_cannot_set_the_variant(self):
		pep = self.new_pep(SCHOOL)
		pep = frappe.get_doc(DOCTYPE, pep.name)
		pep.pep_variant = POST16.value
		with self.assertRaises(SystemOwnedFieldError):
			pep.save()
		with self.assertRaises(SystemOwnedFieldError):  # nor send one with a new PEP
			self.new_pep(SCHOOL, pep_variant=EY.value)
		self.assertEqual(frappe.db.get_value(DOCTYPE, pep.name, "pep_variant"), SCHOOL.value)

	def test_the_set_based_fill_agrees_with_the_domain(self):
		"""peps.variants.fill_variants (the patch and the demo's bulk rows) on both sides of each boundary."""
		peps = []
		for born in (date(2021, 8, 31), date(2021, 9, 1), date(2010, 8, 31), date(2010, 9, 1)):
			child = make_child("Edge", caseworker=self.worker, date_of_birth=born).name
			for due in (date(2026, 8, 31), date(2026, 9, 1), date(2027, 8, 31), date(2027, 9, 1)):
				frappe.set_user(self.worker)
				pep = frappe.get_doc(
					{"doctype": DOCTYPE, "child": child, "due_date": due, "academic_year": "2026-27"}
				).insert()
				peps.append((pep.name, pep_variants.variant_for(born, due).value))
		self.assertEqual({expected for _name, expected in peps}, {v.value for v in PepVariant})
		frappe.set_user("Administrator")
		names = [name for name, _expected in peps]
		frappe.db.set_value(DOCTYPE, {"name": ("in", names)}, "pep_variant", None)
		fill_variants()
		self.assertEqual([(name, frappe.db.get_value(DOCTYPE, name, "pep_variant")) for name in names], peps)

	def test_the_doctype_follows_the_domain(self):
		meta = frappe.get_meta(DOCTYPE)
		variant = meta.get_field("pep_variant")
		self.assertTrue(variant.read_only)
		self.assertEqual([o for o in variant.options.split("\n") if o], [v.value for v in PepVariant])
		required = {**pep_variants.COMMON_REQUIRED, **pep_variants.STATUTORY_CONTENT}
		for fields in (*pep_variants.REQUIRED.values(), *pep_variants.CONDITIONAL.values()):
			required.update(fields if isinstance(fields, dict) else {row[0]: row[1] for row in fields})
		for fieldname, label in required.items():
			self.assertEqual(
				meta.get_label(fieldname), label, fieldname
			)  # the messages name the form's labels
		for variant_, fieldnames in pep_variants.VARIANT_FIELDS.items():
			for fieldname in fieldnames:
				section = self._section_of(meta, fieldname)
				self.assertEqual(section.depends_on, f"eval:doc.pep_variant=='{variant_.value}'", fieldname)
		goal_meta = frappe.get_meta("PEP Early Learning Goal")
		options = {f: [o for o in goal_meta.get_field(f).options.split("\n") if o] for f in ("area", "goal")}
		self.assertEqual(options["area"], list(pep_variants.EARLY_LEARNING_GOALS))
		self.assertEqual(
			options["goal"], [g for gs in pep_variants.EARLY_LEARNING_GOALS.values() for g in gs]
		)
		self.assertEqual(
			[o for o in goal_meta.get_field("judgement").options.split("\n") if o],
			list(pep_variants.EYFS_JUDGEMENTS),
		)
		for fieldname, choices in (
			("ey_setting_type", pep_variants.SETTING_TYPES),
			("bursary_status", pep_variants.BURSARY_STATUSES),
			("neet_risk", pep_variants.NEET_RISKS),
		):
			self.assertEqual([o for o in meta.get_field(fieldname).options.split("\n") if o], list(choices))

	@staticmethod
	def _section_of(meta, fieldname):
		section = None
		for df in meta.fields:
			if df.fieldtype == "Section Break":
				section = df
			if df.fieldname == fieldname:
				return section
		raise AssertionError(fieldname)


PORTAL_USER = "variants.portal@school.test"


class TestPepVariantsInThePortal(PepVariantsCase):
	"""The school fills its part of the PEP's variant in the portal, checked field by field, and submits it."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		self.school = make_school("991951", "Variants All-Through School")
		make_school_contact(PORTAL_USER, self.school)
		for child in self.children.values():
			make_placement(child, self.school, add_days(mid_autumn(), -60))

	def school_saves(self, pep, data, submit=0):
		frappe.set_user(PORTAL_USER)
		try:
			return portal_actions.save_pep(pep.name, frappe.as_json(data), submit=submit)
		finally:
			frappe.set_user("Administrator")

	def test_the_school_fills_the_early_learning_goals(self):
		pep = self.new_pep(EY)
		frappe.set_user(PORTAL_USER)
		shown = portal.pep_for_school(pep.name)
		self.assertEqual(shown["pep_variant"], EY.value)
		self.assertEqual(shown["variant_table"], "early_learning_goals")
		self.assertIn("Expected", shown["variant_options"]["judgement"])
		self.assertNotIn("post16_course", shown)  # another variant's part is not shown
		# the early years areas are offered for its targets, not school age's
		self.assertEqual(shown["options"]["area"], list(pep_variants.TARGET_AREAS[EY]))
		data = {
			"meeting_date": str(mid_autumn()),
			"child_views": "I like the garden and painting at nursery.",
			"targets": [{"area": "Other", "target": "Join in at circle time by Christmas"}],
			"conduct_record": "Settled; no incidents",
			"post16_course": "not this variant's",  # ignored
			"ey_setting_type": "Nursery",
			"early_learning_goals": [
				{
					"area": "Literacy",
					"goal": "Comprehension",
					"judgement": "Emerging",
					"next_steps": "Stories",
				},
				{"area": "", "goal": "", "judgement": "", "next_steps": ""},  # an empty row is dropped
			],
		}
		with self.assertRaisesRegex(frappe.ValidationError, "not one of the choices"):
			self.school_saves(pep, {**data, "ey_setting_type": "Zoo"})
		with self.assertRaisesRegex(frappe.ValidationError, "not one of the choices"):
			self.school_saves(pep, {**data, "targets": [{"area": "Maths", "target": "Count to ten"}]})
		with self.assertRaisesRegex(frappe.ValidationError, "Early Years Setting"):
			self.school_saves(pep, {**data, "ey_setting_type": ""}, submit=1)
		self.assertEqual(self.school_saves(pep, data, submit=1)["status"], "Submitted")
		doc = frappe.get_doc(DOCTYPE, pep.name)
		self.assertEqual(
			[(row.area, row.goal, row.judgement) for row in doc.early_learning_goals],
			[("Literacy", "Comprehension", "Emerging")],
		)
		self.assertEqual((doc.conduct_record, doc.post16_course), ("Settled; no incidents", None))

	def test_the_school_fills_the_course_and_aims(self):
		pep = self.new_pep(POST16, attendance_percent=88)
		data = {
			"meeting_date": str(mid_autumn()),
			"child_views": "I want to finish my course and get an apprenticeship.",
			"targets": [{"area": "Preparing for adulthood", "target": "Two applications by February"}],
			"attendance_percent": "88",
			"post16_course": "BTEC Level 3 Sport",
			"post16_provider": "Variants College",
			"bursary_status": "Applied, awaiting a decision",
			"next_step_plans": "Apprenticeship",
			"qualification_aims": [],
		}
		with self.assertRaisesRegex(frappe.ValidationError, "Qualification Aims"):
			self.school_saves(pep, data, submit=1)
		# the NEET risk is the virtual school's: the school's save does not set it
		aims = [
			{"qualification": "BTEC Sport", "level": "Level 3", "predicted_grade": "M", "target_grade": "D"}
		]
		with self.assertRaisesRegex(frappe.ValidationError, "NEET Risk"):
			self.school_saves(pep, {**data, "qualification_aims": aims, "neet_risk": "Low"}, submit=1)
		frappe.set_user(self.worker)
		frappe.get_doc(DOCTYPE, pep.name).update({"neet_risk": "Low"}).save()
		self.assertEqual(
			self.school_saves(pep, {**data, "qualification_aims": aims}, submit=1)["status"], "Submitted"
		)
		self.assertEqual(
			[row.qualification for row in frappe.get_doc(DOCTYPE, pep.name).qualification_aims],
			["BTEC Sport"],
		)
