"""Tier 2: the retention schedule, the Retention Review and disposal (issue #22 item 1).

A child past retention is listed with its rule; the Head's disposal erases every trace of the child (every
table of the database searched for their name, id and UPN) and leaves an anonymous certificate; a legal hold
blocks both; only the Virtual School Head disposes; the shipped rules exist and a Head's edit survives migrate.
"""

import os
import random
from datetime import date

import frappe
from frappe.utils import add_days, add_years, getdate, today

from virtual_school.domain import retention as rules_domain
from virtual_school.domain.cohorts import Cohort
from virtual_school.governance import disposal, retention
from virtual_school.security.system_owned import SystemOwnedFieldError
from virtual_school.setup import install
from virtual_school.setup.retention_defaults import ensure_retention_rules
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_user,
	manager,
)
from virtual_school.virtual_school.report.retention_review import retention_review

LAC_RULE = "Looked-after children's case records"
TEXT_TYPES = ("char", "varchar", "text", "tinytext", "mediumtext", "longtext", "json")


def born_years_ago(years: int, days: int = 0) -> date:
	return getdate(add_days(add_years(today(), -years), -days))


def age_child(name: str, date_of_birth: date) -> None:
	"""Records are made while the child is young; the date of birth is then moved back in time."""
	frappe.db.set_value("Child", name, "date_of_birth", date_of_birth, update_modified=False)


def traces(*needles: str) -> dict[str, int]:
	"""{table.column: rows} where any needle appears in a text column of any table of the site's database."""
	columns = frappe.db.sql(
		"""select table_name, column_name from information_schema.columns
		where table_schema = database() and data_type in %(types)s""",
		{"types": TEXT_TYPES},
	)
	by_table: dict[str, list[str]] = {}
	for table, column in columns:
		by_table.setdefault(table, []).append(column)
	found = {}
	for table, table_columns in by_table.items():
		for column in table_columns:
			condition = " or ".join(f"`{column}` like %s" for _needle in needles)
			values = [f"%{frappe.db.escape(needle, percent=True)[1:-1]}%" for needle in needles]
			count = frappe.db.sql(f"select count(*) from `{table}` where {condition}", values)[0][0]
			if count:
				found[f"{table}.{column}"] = count
	return found


class TestRetentionRules(VirtualSchoolTestCase):
	def test_the_shipped_rules_exist_after_install(self):
		stored = {
			(row.record_kind, row.cohort or None): row
			for row in frappe.get_all("Retention Rule", fields=["*"])
		}
		for rule in rules_domain.DEFAULT_RULES:
			row = stored[(rule.record_kind.value, rule.cohort.value if rule.cohort else None)]
			self.assertEqual(retention.to_domain(row).authority, rule.authority)
		lac = stored[("Child Case Record", "Looked After")]
		self.assertEqual(
			(lac.basis, lac.age_years, lac.years_after_death, lac.authority), ("Age", 75, 15, "Statutory")
		)
		self.assertIn("reg 50", lac.source)

	def test_a_heads_edit_survives_migrate_and_a_missing_rule_comes_back(self):
		frappe.set_user(head())
		rule = frappe.get_doc("Retention Rule", "Previously Looked After case records")
		rule.period_years = 12
		rule.notes = "Confirmed with the records manager"
		rule.save()
		frappe.set_user("Administrator")
		frappe.delete_doc("Retention Rule", "Access logs")
		install.after_migrate()
		rule.reload()
		self.assertEqual((rule.period_years, rule.notes), (12, "Confirmed with the records manager"))
		self.assertTrue(frappe.db.exists("Retention Rule", {"record_kind": "Access Log"}))
		self.assertEqual(ensure_retention_rules(), [])  # nothing else missing: nothing written

	def test_only_the_head_edits_the_rules(self):
		frappe.set_user(manager())
		rule = frappe.get_doc("Retention Rule", LAC_RULE)
		rule.check_permission("read")
		rule.age_years = 30
		self.assertRaises(frappe.PermissionError, rule.save)
		for user in (caseworker(1), finance()):
			frappe.set_user(user)
			self.assertFalse(frappe.has_permission("Retention Rule", "read"))
			self.assertRaises(frappe.PermissionError, retention_review.execute, {})

	def test_a_rule_that_cannot_work_is_refused(self):
		frappe.set_user(head())
		rule = frappe.get_doc("Retention Rule", LAC_RULE)
		rule.basis = "Last Activity"
		self.assertRaises(frappe.ValidationError, rule.save)
		frappe.set_user("Administrator")  # only a System Manager creates rules: every kind has one
		duplicate = frappe.copy_doc(frappe.get_doc("Retention Rule", LAC_RULE))
		duplicate.rule_name = "Another looked-after rule"
		self.assertRaises(frappe.ValidationError, duplicate.insert)


class TestRetentionReview(VirtualSchoolTestCase):
	def test_a_child_past_retention_is_listed_with_its_rule(self):
		past = make_child("Past")
		age_child(past.name, born_years_ago(75, days=1))  # 75th birthday yesterday: kept until then
		on_the_day = make_child("OnTheDay")
		age_child(on_the_day.name, born_years_ago(75))  # 75 today: still kept today
		adopted = make_child("Adopted", cohort="Previously Looked After")  # looked after here: reg 50
		age_child(adopted.name, born_years_ago(30))
		kinship = make_child("Kinship", cohort="Kinship Care", date_entered_care=None)
		age_child(kinship.name, born_years_ago(25, days=1))  # 18 + 7 years, yesterday

		frappe.set_user(head())
		_columns, rows = retention_review.execute({})
		listed = {row["reference_name"]: row for row in rows if row["reference_doctype"] == "Child"}
		self.assertIn(past.name, listed)
		self.assertEqual(listed[past.name]["retention_rule"], LAC_RULE)
		self.assertEqual(getdate(listed[past.name]["retention_end"]), born_years_ago(0, days=1))
		self.assertEqual(listed[kinship.name]["retention_rule"], "Kinship Care case records")
		self.assertNotIn(on_the_day.name, listed)
		self.assertNotIn(adopted.name, listed)

		frappe.set_user(manager())
		self.assertIn(past.name, {row["reference_name"] for row in retention_review.execute({})[1]})
		frappe.set_user(caseworker(1))
		self.assertRaises(frappe.PermissionError, retention_review.execute, {})

	def test_a_child_who_died_before_18_is_kept_15_years_from_death(self):
		"""CPPCR 2010 reg 50: "for a period of 15 years beginning with the date of C's death" when C died
		before 18; a death at 18 or later leaves the 75th birthday rule."""
		due_on = getdate(add_years(today(), -15))  # 15 years beginning on that day ended yesterday
		died_young = make_child("DiedYoung")
		age_child(died_young.name, getdate(add_years(due_on, -10)))
		kept = make_child("DiedRecently")
		age_child(kept.name, getdate(add_years(due_on, -10)))
		died_adult = make_child("DiedAdult")
		age_child(died_adult.name, getdate(add_years(due_on, -20)))
		for child, died in (
			(died_young, due_on),
			(kept, getdate(add_days(due_on, 1))),  # the 15 years end today: still kept
			(died_adult, due_on),
		):
			frappe.db.set_value("Child", child.name, "date_of_death", died, update_modified=False)
		due = {
			record.reference_name: record
			for record in retention.due_records(today(), kinds=("Child Case Record",))
		}
		self.assertIn(died_young.name, due)
		self.assertEqual(due[died_young.name].retention_end, getdate(add_days(today(), -1)))
		self.assertNotIn(kept.name, due)
		self.assertNotIn(died_adult.name, due)

	def test_a_child_on_legal_hold_is_not_listed(self):
		held = make_child("Held")
		age_child(held.name, born_years_ago(80))
		frappe.db.set_value("Child", held.name, {"legal_hold": 1, "legal_hold_reason": "Inquiry"})
		due = {record.reference_name for record in retention.due_records(today())}
		self.assertNotIn(held.name, due)

	def test_the_query_agrees_with_the_rule(self):
		"""The set-based query selects exactly the children the pure rule says are past retention."""
		rng = random.Random(22)
		on_date = getdate(today())
		rules = {cohort: named for (kind, cohort), named in retention.site_rules().items() if cohort}
		children = {}
		for index in range(40):
			cohort = rng.choice(list(Cohort))
			looked_after = cohort == Cohort.LOOKED_AFTER or rng.random() < 0.3
			child = make_child(
				f"Gen{index}",
				cohort=cohort.value,
				date_entered_care=add_days(today(), -400) if looked_after else None,
			)
			dob = getdate(add_days(on_date, -rng.choice([25, 75]) * 365 - rng.randint(-3, 3)))
			age_child(child.name, dob)
			rule = rules[rules_domain.retention_cohort(cohort.value, looked_after)][1]
			children[child.name] = rules_domain.is_past_retention(rule, on_date, date_of_birth=dob)
		due = {
			record.reference_name for record in retention.due_records(on_date, kinds=("Child Case Record",))
		}
		self.assertEqual({name for name, past in children.items() if past}, due & set(children))
		self.assertTrue(any(children.values()) and not all(children.values()))

	def test_the_daily_job_tells_each_head_once_and_names_no_child(self):
		child = make_child("Notify")
		age_child(child.name, born_years_ago(80))
		retention.review_daily()
		retention.review_daily()
		logs = frappe.get_all(
			"Notification Log",
			filters={
				"for_user": head(),
				"subject": ("like", "Retention review%"),
				"creation": (">=", today()),
			},
			pluck="subject",
		)
		self.assertEqual(len(logs), 1)
		self.assertNotIn(child.name, logs[0])
		self.assertNotIn(child.full_name, logs[0])


class TestDisposal(VirtualSchoolTestCase):
	def make_case(self):
		"""A child with records, files, versions, comments, assignments, shares and logs about them."""
		school = make_school("990722", "Retention Test School")
		child = make_child("Erase", upn=None)
		placement = make_placement(child.name, school, add_days(today(), -300))
		pep = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": child.name,
				"due_date": add_days(today(), 20),
				"targets": [{"area": "Reading and writing", "target": f"Read with {child.full_name}"}],
			}
		).insert()
		escalation = frappe.get_doc(
			{
				"doctype": "Escalation",
				"reference_doctype": "Child",
				"reference_name": child.name,
				"child": child.name,
				"reason": f"About {child.full_name}",
			}
		).insert()
		child.reload()
		child.social_worker_name = "Sam Social"
		child.save(ignore_version=False)  # a Version of the Child (Frappe skips them in tests unless asked)
		for doctype, name in (("Child", child.name), ("Personal Education Plan", pep.name)):
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"{name}-letter.txt",
					"attached_to_doctype": doctype,
					"attached_to_name": name,
					"is_private": 1,
					"content": f"Letter about {child.full_name}",
				}
			).insert(ignore_permissions=True)
			frappe.get_doc(doctype, name).add_comment("Comment", f"Spoke to {child.full_name}")
		frappe.share.add("Child", child.name, caseworker(2), read=1)
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": caseworker(1),
				"reference_type": "Child",
				"reference_name": child.name,
				"description": f"Call about {child.full_name}",
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "View Log",
				"reference_doctype": "Child",
				"reference_name": child.name,
				"viewed_by": head(),
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{"doctype": "Route History", "route": f"app/child/{child.name}", "user": head()}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Access Log",
				"export_from": "Child",
				"reference_document": child.name,
				"user": head(),
				"file_type": "PDF",
				"method": "Print",
			}
		).insert(ignore_permissions=True)
		upn = frappe.db.get_value("Child", child.name, "upn")
		age_child(child.name, born_years_ago(80))
		return child, placement, pep, escalation, upn

	def batch_with(self, *children: str) -> str:
		frappe.set_user(head())
		batch = frappe.get_doc({"doctype": "Disposal Batch", "notes": "Annual review"}).insert()
		disposal.add_records_past_retention(batch.name)
		batch.reload()
		listed = {item.reference_name for item in batch.items}
		self.assertTrue(set(children) <= listed)
		batch.items = [item for item in batch.items if item.reference_name in children]
		batch.save()
		return batch.name

	def test_disposal_removes_every_trace_and_leaves_an_anonymous_certificate(self):
		child, placement, pep, escalation, upn = self.make_case()
		needles = [child.name, child.full_name] + ([upn] if upn else [])
		files = frappe.get_all(
			"File", filters={"attached_to_name": ("in", [child.name, pep.name])}, pluck="name"
		)
		paths = [frappe.get_doc("File", name).get_full_path() for name in files]
		self.assertEqual(len(paths), 2)
		self.assertTrue(all(os.path.exists(path) for path in paths))
		before = traces(*needles)
		for table in (
			"tabChild",
			"tabVersion",
			"tabFile",
			"tabComment",
			"tabToDo",
			"tabDocShare",
			"tabRoute History",
		):
			self.assertTrue(any(key.startswith(f"{table}.") for key in before), (table, before))

		batch = self.batch_with(child.name)
		certificate_name = disposal.dispose(batch)

		self.assertEqual(traces(*needles), {})
		self.assertEqual(traces(placement.name, pep.name, escalation.name), {})
		self.assertFalse(any(os.path.exists(path) for path in paths))
		self.assertFalse(frappe.db.exists("Disposal Batch", batch))
		certificate = frappe.get_doc("Disposal Certificate", certificate_name)
		erased = {row.document_type: row.records for row in certificate.kinds}
		self.assertEqual(erased["Child"], 1)
		self.assertEqual(erased["Education Placement"], 1)
		self.assertEqual(erased["Personal Education Plan"], 1)
		self.assertEqual(erased["Escalation"], 1)
		self.assertEqual(erased["File"], 2)
		self.assertGreaterEqual(erased["Version"], 1)
		self.assertEqual((certificate.disposed_by, certificate.requested_by), (head(), head()))
		self.assertIn(LAC_RULE, certificate.rules)
		self.assertIn("reg 50", certificate.rules)

	def test_a_legal_hold_blocks_disposal(self):
		child = make_child("Hold")
		age_child(child.name, born_years_ago(80))
		batch = self.batch_with(child.name)
		frappe.set_user(manager())
		held = frappe.get_doc("Child", child.name)
		held.legal_hold = 1
		held.legal_hold_reason = "Litigation"
		held.save()
		frappe.set_user(head())
		self.assertRaises(disposal.LegalHoldError, disposal.dispose, batch)
		self.assertTrue(frappe.db.exists("Child", child.name))

	def test_a_record_no_longer_due_is_refused(self):
		child = make_child("Rule")
		age_child(child.name, born_years_ago(80))
		batch = self.batch_with(child.name)
		rule = frappe.get_doc("Retention Rule", LAC_RULE)
		rule.age_years = 100
		rule.save()
		self.assertRaises(disposal.NotDueError, disposal.dispose, batch)
		self.assertTrue(frappe.db.exists("Child", child.name))

	def test_caseworkers_and_managers_cannot_dispose(self):
		child = make_child("Nobody", caseworker=caseworker(1))
		age_child(child.name, born_years_ago(80))
		batch = self.batch_with(child.name)
		for user in (manager(), caseworker(1)):
			frappe.set_user(user)
			self.assertRaises(frappe.PermissionError, disposal.dispose, batch)
			self.assertRaises(frappe.PermissionError, disposal.add_records_past_retention, batch)
		frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists("Child", child.name))
		self.assertFalse(frappe.db.exists("Disposal Certificate", {"disposal_batch": batch}))

	def test_only_the_head_or_a_manager_sets_a_legal_hold(self):
		child = make_child("Caseload", caseworker=caseworker(1))
		frappe.set_user(caseworker(1))
		doc = frappe.get_doc("Child", child.name)
		doc.legal_hold = 1
		doc.legal_hold_reason = "Wants to keep it"
		self.assertRaises(SystemOwnedFieldError, doc.save)
		for user in (manager(), head()):
			frappe.set_user(user)
			doc = frappe.get_doc("Child", child.name)
			doc.legal_hold = 0 if doc.legal_hold else 1
			doc.legal_hold_reason = "Police investigation"
			doc.save()

	def test_contacts_import_files_and_access_logs_past_retention_are_disposed_of(self):
		school = make_school("990723", "Retention Contact School")
		portal_user = make_user("retention.leaver@example.test", "School Portal User", website_user=True)
		contact = frappe.get_doc(
			{"doctype": "School Contact", "school": school, "full_name": "Lee Leaver", "user": portal_user}
		).insert()
		frappe.db.set_value(
			"School Contact",
			contact.name,
			{"is_active": 0, "modified": add_days(today(), -400)},
			update_modified=False,
		)
		log = frappe.get_doc({"doctype": "Import Log", "import_type": "GIAS"}).insert()
		source = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "edubase-retention.csv",
				"attached_to_doctype": "Import Log",
				"attached_to_name": log.name,
				"is_private": 1,
				"content": "URN,EstablishmentName\n1,Old School\n",
			}
		).insert(ignore_permissions=True)
		path = source.get_full_path()
		frappe.db.set_value(
			"Import Log", log.name, {"imported_on": add_days(today(), -91)}, update_modified=False
		)
		old_access = frappe.get_doc(
			{"doctype": "Access Log", "export_from": "School", "reference_document": school, "user": head()}
		).insert(ignore_permissions=True)
		frappe.db.set_value(
			"Access Log", old_access.name, "creation", add_years(today(), -3), update_modified=False
		)
		recent_access = frappe.get_doc(
			{"doctype": "Access Log", "export_from": "School", "reference_document": school, "user": head()}
		).insert(ignore_permissions=True)

		frappe.set_user(head())
		batch = frappe.get_doc({"doctype": "Disposal Batch"}).insert()
		disposal.add_records_past_retention(batch.name)
		batch.reload()
		keep = {contact.name, log.name, None}
		batch.items = [
			item
			for item in batch.items
			if item.reference_name in keep and item.reference_doctype != "View Log"
		]
		batch.save()
		self.assertEqual(
			{(item.record_kind, item.reference_name) for item in batch.items},
			{("School Contact", contact.name), ("Import Source File", log.name), ("Access Log", None)},
		)
		certificate = frappe.get_doc("Disposal Certificate", disposal.dispose(batch.name))

		self.assertFalse(frappe.db.exists("School Contact", contact.name))
		self.assertFalse(frappe.db.exists("User", portal_user))
		self.assertTrue(frappe.db.exists("Import Log", log.name))
		self.assertFalse(frappe.db.exists("File", source.name))
		self.assertFalse(os.path.exists(path))
		self.assertFalse(frappe.db.exists("Access Log", old_access.name))
		self.assertTrue(frappe.db.exists("Access Log", recent_access.name))
		erased = {row.document_type: row.records for row in certificate.kinds}
		self.assertEqual((erased["School Contact"], erased["User"]), (1, 1))
		self.assertGreaterEqual(erased["File"], 1)
		self.assertGreaterEqual(erased["Access Log"], 1)
