"""Factories for integration tests: real users of each role, schools, children and placements."""

from datetime import date

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from virtual_school.domain import upn
from virtual_school.setup import roles

TEST_PASSWORD = "Test-Password-2026!"


class VirtualSchoolTestCase(FrappeTestCase):
	"""Each test starts from the committed site: its own writes are rolled back afterwards.

	The standard users are created (and committed) before any test runs, so no test commits its data.
	"""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		head(), manager(), caseworker(1), caseworker(2), finance(), social_worker(1), social_worker(2)
		# Others that tests use mid-test: created here so their commit never carries a test's data.
		make_user("vs.manager2@example.test", roles.VIRTUAL_SCHOOL_MANAGER)
		for number in (0, 1):
			make_user(f"vs.head{number}@example.test", roles.VIRTUAL_SCHOOL_HEAD)

	def setUp(self):
		frappe.set_user("Administrator")
		super().setUp()

	def tearDown(self):
		from virtual_school.calendar.clocks import clear_calendar_cache

		frappe.set_user("Administrator")
		frappe.db.rollback()
		clear_calendar_cache()
		super().tearDown()


def make_user(email: str, *role_names: str, website_user: bool = False) -> str:
	"""A user with exactly these roles and TEST_PASSWORD, created once and committed (users persist)."""
	if frappe.db.exists("User", email):
		current = set(
			frappe.get_all("Has Role", filters={"parent": email, "parenttype": "User"}, pluck="role")
		)
		if current == set(role_names):
			return email
	else:
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0].replace(".", " ").title(),
				"send_welcome_email": 0,
				"user_type": "Website User" if website_user else "System User",
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.set("roles", [{"role": role} for role in role_names])
	user.save(ignore_permissions=True)
	frappe.utils.password.update_password(email, TEST_PASSWORD)
	# Test users outlive each test's rollback, so tests stay fast. Only safe before a test writes data:
	# VirtualSchoolTestCase.setUpClass creates the standard users first.
	frappe.db.commit()  # nosemgrep
	return email


def head() -> str:
	return make_user("vs.head@example.test", roles.VIRTUAL_SCHOOL_HEAD)


def manager() -> str:
	return make_user("vs.manager@example.test", roles.VIRTUAL_SCHOOL_MANAGER)


def caseworker(number: int = 1) -> str:
	return make_user(f"vs.caseworker{number}@example.test", roles.VIRTUAL_SCHOOL_CASEWORKER)


def finance() -> str:
	return make_user("vs.finance@example.test", roles.VIRTUAL_SCHOOL_FINANCE)


def social_worker(number: int = 1) -> str:
	"""A Social Worker: sees the children whose Child.social_worker_user is them."""
	return make_user(f"vs.socialworker{number}@example.test", roles.SOCIAL_WORKER)


def one_user_per_role(role_names, **overrides: str) -> dict[str, str]:
	"""{role: a user with only that role} for each role (``overrides`` by ``frappe.scrub(role)``).

	Suites that loop over the roles read them from ``setup.roles``, so a role added there is covered, and a
	role without a factory here fails loudly instead of going untested.
	"""
	factories = {
		roles.VIRTUAL_SCHOOL_HEAD: head,
		roles.VIRTUAL_SCHOOL_MANAGER: manager,
		roles.VIRTUAL_SCHOOL_CASEWORKER: caseworker,
		roles.VIRTUAL_SCHOOL_FINANCE: finance,
		roles.SOCIAL_WORKER: social_worker,
	}
	users = {}
	for role in role_names:
		override = overrides.get(frappe.scrub(role))
		if override:
			users[role] = override
		elif role in factories:
			users[role] = factories[role]()
		else:
			raise AssertionError(f"no test user factory for the role {role} (virtual_school/tests/utils.py)")
	return users


def make_school(urn: str = "990101", name: str = "Test Community Primary", **values) -> str:
	if not frappe.db.exists("School", urn):
		frappe.get_doc(
			{
				"doctype": "School",
				"urn": urn,
				"school_name": name,
				"type_group": values.pop("type_group", "Local authority maintained schools"),
				"establishment_type": values.pop("establishment_type", "Community school"),
				"la": values.pop("la", "886"),
				"status": "Open",
				**values,
			}
		).insert(ignore_permissions=True)
	return urn


def make_school_contact(user: str, school: str) -> str:
	"""Give a School Portal User their school: the School Contact that links them."""
	return (
		frappe.get_doc(
			{"doctype": "School Contact", "school": school, "full_name": user, "user": user, "email": user}
		)
		.insert()
		.name
	)


_serial = iter(range(100, 999))


def valid_upn(la_code: str = "886") -> str:
	body = f"{la_code}2001{date.today().year % 100:02d}{next(_serial):03d}"
	return upn.check_letter(body) + body


def make_child(first_name: str = "Test", last_name: str | None = None, **values):
	"""A child (inserted as Administrator) with a unique name; returns the document."""
	doc = frappe.get_doc(
		{
			"doctype": "Child",
			"first_name": first_name,
			"last_name": last_name or frappe.generate_hash(length=8).title(),
			"date_of_birth": values.pop("date_of_birth", add_days(today(), -10 * 365)),
			"cohort": values.pop("cohort", "Looked After"),
			"date_entered_care": values.pop("date_entered_care", add_days(today(), -400)),
			"responsible_la": values.pop("responsible_la", "886"),
			"resident_la": values.pop("resident_la", "886"),
			**values,
		}
	)
	current_user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		doc.insert()
	finally:
		frappe.set_user(current_user)
	return doc


def make_placement(child: str, school: str, start_date, end_date=None, basis: str = "Full time"):
	doc = frappe.get_doc(
		{
			"doctype": "Education Placement",
			"child": child,
			"school": school,
			"start_date": getdate(start_date),
			"end_date": getdate(end_date) if end_date else None,
			"attendance_basis": basis,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc


def make_school_calendar(academic_year: str, terms: list[dict]) -> str:
	"""A School Calendar for a test year (the tests use future years the default data does not cover)."""
	if not frappe.db.exists("School Calendar", academic_year):
		frappe.get_doc(
			{"doctype": "School Calendar", "academic_year": academic_year, "terms": terms}
		).insert()
	return academic_year


def run_concurrently(*calls) -> list:
	"""Run each call from its own database connection, all released at the same moment; each commits.

	Returns, in order, each call's result or the exception it raised (rolled back). The caller's own
	connection is rolled back at the end so it sees what the others committed.
	"""
	import threading

	site, sites_path = frappe.local.site, frappe.local.sites_path
	barrier = threading.Barrier(len(calls))
	results: list = [None] * len(calls)

	def run(index, call):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		try:
			frappe.set_user("Administrator")
			barrier.wait(timeout=30)
			results[index] = call()
			frappe.db.commit()
		except Exception as error:
			frappe.db.rollback()
			results[index] = error
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=120)
	frappe.db.rollback()
	return results


def mid_autumn() -> date:
	"""15 November of the academic year the clock is in: a term-time "today" to freeze a test at
	(``self.enterContext(self.freeze_time(mid_autumn(), tick=True))``) when its data lie a few days or weeks
	before today, which from 1 September would put them in the year before (docs/testing.md, Dates)."""
	from virtual_school.domain import school_days

	start = school_days.academic_year_bounds(school_days.academic_year_of(date.today()))[0]
	return date(start.year, 11, 15)
