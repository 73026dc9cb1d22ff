app_name = "virtual_school"
app_title = "Virtual School"
app_publisher = "virtual_school contributors"
app_description = (
	"Virtual School for an English local authority: looked-after children's school places, "
	"Personal Education Plans and Pupil Premium Plus"
)
app_email = "virtual-school@example.org"
app_license = "mit"

# Apps screen (/apps)
add_to_apps_screen = [
	{
		"name": "virtual_school",
		"logo": "/assets/virtual_school/images/logo.svg",
		"title": "Virtual School",
		"route": "/app/virtual-school",
		"has_permission": "virtual_school.setup.roles.has_app_permission",
	}
]

# The desk: the awesome bar finds the user's own children by name (virtual_school/children/search.py)
app_include_js = ["/assets/virtual_school/js/awesome_bar_children.js"]

# Install, migrate and tests
# --------------------------
# install-app runs after_install before fixtures are synced and after_sync after them;
# migrate runs after_migrate last. Roles, workflows and default data converge on both paths.
after_install = "virtual_school.setup.install.after_install"
after_sync = "virtual_school.setup.install.after_sync"
after_migrate = "virtual_school.setup.install.after_migrate"
before_tests = "virtual_school.setup.install.before_tests"

# Permissions: caseworkers see only their caseload, through every path (virtual_school/permissions.py)
# ----------------------------------------------------------------------------------------------------
permission_query_conditions = {
	"Child": "virtual_school.permissions.child_query_conditions",
	"Education Placement": "virtual_school.permissions.education_placement_query_conditions",
	"School Place Request": "virtual_school.permissions.school_place_request_query_conditions",
	"Escalation": "virtual_school.permissions.escalation_query_conditions",
	"PP Plus Claim": "virtual_school.permissions.pp_plus_claim_query_conditions",
	"Personal Education Plan": "virtual_school.permissions.personal_education_plan_query_conditions",
	"Exclusion": "virtual_school.permissions.exclusion_query_conditions",
	"Care Placement Move": "virtual_school.permissions.care_placement_move_query_conditions",
	"Advice Request": "virtual_school.permissions.advice_request_query_conditions",
	"Attendance Record": "virtual_school.permissions.attendance_record_query_conditions",
	"Attendance Term Total": "virtual_school.permissions.attendance_term_total_query_conditions",
	"Data Quality Issue": "virtual_school.permissions.data_quality_issue_query_conditions",
	"Key Stage Outcome": "virtual_school.permissions.key_stage_outcome_query_conditions",
	# sums over every child of a school: only for users who see every child
	"Attendance Week Total": "virtual_school.permissions.all_children_query_conditions",
	# a caseworker reads a school's impact report only when all its rows are on their caseload
	"PP Plus Impact Report": "virtual_school.permissions.pp_plus_impact_report_query_conditions",
	# Child tables (?parent=...) follow their parent record: "*" below (virtual_school/security/child_rows.py)
	# Every doctype: the side-door guards of virtual_school/security (child rows, references: File,
	# Comment, ToDo, Version, Workflow Action... follow the record they point at, ...)
	"*": "virtual_school.security.query_conditions",
}
has_permission = {
	"Child": "virtual_school.permissions.child_has_permission",
	"Education Placement": "virtual_school.permissions.child_record_has_permission",
	"School Place Request": "virtual_school.permissions.child_record_has_permission",
	"Escalation": "virtual_school.permissions.child_record_has_permission",
	"PP Plus Claim": "virtual_school.permissions.pp_plus_claim_has_permission",
	"Personal Education Plan": "virtual_school.permissions.child_record_has_permission",
	"Exclusion": "virtual_school.permissions.child_record_has_permission",
	"Care Placement Move": "virtual_school.permissions.child_record_has_permission",
	"Advice Request": "virtual_school.permissions.advice_request_has_permission",
	"Attendance Record": "virtual_school.permissions.child_record_has_permission",
	"Attendance Term Total": "virtual_school.permissions.child_record_has_permission",
	"Data Quality Issue": "virtual_school.permissions.child_record_has_permission",
	"Key Stage Outcome": "virtual_school.permissions.child_record_has_permission",
	"Attendance Week Total": "virtual_school.permissions.all_children_has_permission",
	"PP Plus Impact Report": "virtual_school.permissions.pp_plus_impact_report_has_permission",
	# Every doctype: answers False to deny, never True (Frappe asks "*" first and stops at an answer)
	"*": "virtual_school.security.has_permission",
}

# Scheduled jobs: idempotent, set-based
# --------------------------------------
scheduler_events = {
	"daily": [
		"virtual_school.children.placements.refresh_derived_fields",
		"virtual_school.escalations.services.run_daily_sweep",
		"virtual_school.pp_plus.impact.run_daily",
		"virtual_school.children.leaving_care.end_care_at_eighteen",
		"virtual_school.peps.services.escalate_overdue_peps",
		"virtual_school.attendance.services.flag_attendance_concerns",
		"virtual_school.setup.calendar_defaults.ensure_default_calendars",
		"virtual_school.governance.retention.review_daily",
		"virtual_school.admissions.routes.refresh_school_routes_when_commenced",
	],
}

# Documents
# ---------
doc_events = {
	# Every doctype: system-owned fields, references to app records (virtual_school/security)
	"*": {
		"before_validate": "virtual_school.security.before_validate",
		"validate": "virtual_school.security.validate",
	},
	"User": {
		"validate": "virtual_school.setup.workspaces.set_default_workspace",
		# a caseworker's "My caseload" list filters follow their roles (virtual_school/setup/list_filters.py)
		"on_update": "virtual_school.setup.list_filters.user_updated",
	},
	# A caseworker's shared children are cached per user: any change of a share clears that user's entry
	"DocShare": {
		"after_insert": "virtual_school.permissions.forget_shared_children",
		"on_update": "virtual_school.permissions.forget_shared_children",
		"on_trash": "virtual_school.permissions.forget_shared_children",
	},
	# Who read a child's records: each desk form load (getdoc) is logged (virtual_school/governance/access_log.py)
	"Child": {
		"onload": "virtual_school.governance.access_log.on_form_load",
		# the social worker's desk user: an enabled Social Worker, filled from their email (children/social_worker.py)
		"validate": "virtual_school.children.social_worker.validate_child",
	},
	"Personal Education Plan": {
		"onload": "virtual_school.governance.access_log.on_form_load",
		# a Social Worker writes the social-care part only, on every save path
		"before_validate": "virtual_school.children.social_worker.guard_pep_write",
	},
	"Exclusion": {
		"onload": "virtual_school.governance.access_log.on_form_load",
		# the child's social worker is told at once (children/notify.py)
		"after_insert": "virtual_school.children.notify.exclusion_inserted",
	},
	# a placement that ends with no school on roll: the child's social worker is told
	"Education Placement": {"on_update": "virtual_school.children.notify.placement_updated"},
	"PP Plus Claim": {"onload": "virtual_school.governance.access_log.on_form_load"},
	# Two-factor stays per role when System Settings is saved (virtual_school/setup/security.py)
	"System Settings": {
		"before_validate": "virtual_school.setup.security.remember_two_factor_roles",
		"on_update": "virtual_school.setup.security.keep_two_factor_roles",
	},
}

# School portal (virtual_school/portal/pages.py, www/school-portal)
# ---------------------------------------------------------
role_home_page = {"School Portal User": "school-portal"}
# Portal pages are Frappe template pages whose compiled Jinja templates are reused (virtual_school/portal/renderer.py)
page_renderer = ["virtual_school.portal.renderer.SchoolPortalPage"]
website_clear_cache = ["virtual_school.portal.renderer.clear_shells"]
# Frappe's resolve_path, except /school-portal paths, which resolve to themselves without a werkzeug map
website_path_resolver = ["virtual_school.portal.renderer.resolve_path"]
# Frappe reads every Website Route Redirect on each request before any hook; portal paths remember "no redirect"
before_request = [
	# the side-door guards on Frappe's own functions, applied once per process (virtual_school/security)
	"virtual_school.security.install",
	"virtual_school.portal.renderer.remember_portal_paths_without_redirect",
]
before_job = ["virtual_school.security.install"]
# portal_menu_items, not standard_portal_menu_items: Frappe v15's Portal Settings sync drops standard items
# without a reference DocType, so those never reached the sidebar.
portal_menu_items = [
	{"title": "My Pupils", "route": "/school-portal", "reference_doctype": "", "role": "School Portal User"},
	{
		"title": "Place Requests",
		"route": "/school-portal/place-requests",
		"reference_doctype": "",
		"role": "School Portal User",
	},
	{"title": "PEPs", "route": "/school-portal/peps", "reference_doctype": "", "role": "School Portal User"},
	{
		"title": "PP+ Funding",
		"route": "/school-portal/pp-plus",
		"reference_doctype": "",
		"role": "School Portal User",
	},
	{
		"title": "Impact Reports",
		"route": "/school-portal/impact-reports",
		"reference_doctype": "",
		"role": "School Portal User",
	},
	{
		"title": "Attendance",
		"route": "/school-portal/attendance",
		"reference_doctype": "",
		"role": "School Portal User",
	},
	{
		"title": "Exclusions",
		"route": "/school-portal/exclusions",
		"reference_doctype": "",
		"role": "School Portal User",
	},
]

# frappe.client.get_count applies no permissions in Frappe v15: count through get_list instead
override_whitelisted_methods = {"frappe.client.get_count": "virtual_school.portal.guard.get_count"}
# Frappe v15 lets anyone write any Access Log row: only a report's print or export may be logged by a client
override_whitelisted_methods["frappe.core.doctype.access_log.access_log.make_access_log"] = (
	"virtual_school.governance.access_log.make_access_log"
)
# The awesome bar's "Search for ..." finds the user's own children by name, within their caseload
# (virtual_school/children/search.py; Child stays out of Frappe's global search index)
override_whitelisted_methods["frappe.utils.global_search.search"] = "virtual_school.children.search.search"
# Frappe's link search turns "ignore user permissions" into ignore_permissions: every child by name (children/search.py)
override_whitelisted_methods["frappe.desk.search.search_link"] = "virtual_school.children.search.search_link"
override_whitelisted_methods["frappe.desk.search.search_widget"] = (
	"virtual_school.children.search.search_widget"
)
# A REST read of one Child, PEP, Exclusion or PP+ Claim is logged (virtual_school/governance/access_log.py)
after_request = ["virtual_school.governance.access_log.after_request"]

# A Version read as a document loses the values of fields above the reader's permission level
# (virtual_school/security/restricted_fields.py)
override_doctype_class = {"Version": "virtual_school.security.restricted_fields.RestrictedVersion"}
# The app's e-mail Notifications skip users who opted out in Notification Settings (shared/notifications.py)
override_doctype_class["Notification"] = "virtual_school.shared.notifications.VirtualSchoolNotification"

# A feature's own lines in a form's "what to do next" (virtual_school/shared/next_step.py)
next_step_extras = {"Personal Education Plan": ["virtual_school.peps.next_step.pep_due"]}

# Fixtures (exported with `bench export-fixtures`); workflows live in virtual_school/workflows/.
fixtures = []

# Child is deliberately not in global search: Frappe v15's global search checks only doctype-level
# read permission, so it would show a caseworker the names of children outside their caseload.
global_search_doctypes = {
	"Default": [
		{"doctype": "School", "index": 1},
		{"doctype": "School Contact", "index": 2},
	]
}
