"""Child-table rows over HTTP with real logins: a row is read exactly when its parent record is (issue #17).

Frappe v15 checked only the parent *doctype* when a row was fetched by itself, so any caseworker read any
caseload's PEP targets, escalation notes or refusal reasons by row name. For every child doctype of the app
(found on the site from metadata) a parent on cw_own's caseload is built with rows in each of its tables
(the world of test_permission_matrix.py), and each role asks for a row through each side door:

  GET  /api/resource/<table>/<row>
  GET  /api/method/frappe.client.get            doctype, parent, filters={"parent": ...}
  GET  /api/method/frappe.desk.form.load.getdoc doctype, name
  GET  /api/method/frappe.client.get_list       doctype, parent, filters={"parent": ...}
  PUT  /api/resource/<table>/<row>              (roles that may not read the parent)

Whether the role may read the parent record is asked on the parent's own REST path (not a side door).
A refused single row is answered 403 and a refused list is empty (200), or 403 when the role may not
read the parent doctype at all (website users, a caseworker on a payment); no refusal carries the row.
Guard: virtual_school/security/child_rows.py.
"""

import json
import uuid

import pytest
import test_permission_matrix as matrix
from test_permission_matrix import TIMEOUT, Admin, app_doctypes, sample_payload

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]

# The matrix's world (users of each role, schools, a child on cw_own's caseload, approved claims), built
# for this module too. It names its records after matrix.RUN, so this module builds it under its own tag:
# one pytest session runs both modules, and a second child of the same name is refused as a duplicate.
world = matrix.world


@pytest.fixture(scope="module", autouse=True)
def own_run_tag():
	"""Autouse, so it is set up before the module's world (pytest sets up autouse fixtures first)."""
	with pytest.MonkeyPatch.context() as patch:
		patch.setattr(matrix, "RUN", RUN)
		yield


ROLES = matrix.ROLES
ROLE_NAMES = {
	"head": "Virtual School Head",
	"manager": "Virtual School Manager",
	"cw_own": "Virtual School Caseworker",
	"cw_other": "Virtual School Caseworker",
	"sw_own": "Social Worker",
	"sw_other": "Social Worker",
	"finance": "Virtual School Finance",
}
FORBIDDEN = 403
STANDARD = {"name", "owner", "modified_by", "creation", "modified", "parent", "parenttype", "parentfield"}


SETTINGS = "Virtual School Settings"


def settings_with_rows(admin: Admin) -> str:
	"""The settings (a single: written with PUT, not created) with a national outcome figure row."""
	rows = (admin.get(SETTINGS, SETTINGS) or {}).get("outcome_national_figures") or []
	row = {
		"academic_year": "2024-25",
		"measure": "Good level of development (EYFS)",
		"national_figure": 37.0,
		"source": f"Side door source {RUN}",
	}
	response = admin.session.put(
		admin.url(f"/api/resource/{SETTINGS}/{SETTINGS}"),
		json={"outcome_national_figures": [*rows, row]},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:2000]
	return SETTINGS


def with_rows(doctype: str, world: dict) -> dict:
	"""A parent record of ``doctype`` on cw_own's caseload with a row in each of its tables."""
	payload = sample_payload(doctype, world)
	school, tag = world["schools"][0], f"{RUN}rows"
	rows = {
		"Escalation": {"log": [{"note": f"Raised {tag}", "from_level": 1, "to_level": 2}]},
		"Personal Education Plan": {
			"targets": [{"area": "Maths", "target": f"Target {tag}"}],
			"attainment": [{"subject": "Maths", "current": f"Attainment {tag}"}],
			"early_learning_goals": [
				{"area": "Literacy", "goal": "Writing", "judgement": "Emerging", "next_steps": f"Goal {tag}"}
			],
			"qualification_aims": [
				{"qualification": f"Aim {tag}", "predicted_grade": "C", "target_grade": "B"}
			],
		},
		"School Place Request": {
			"approaches": [
				{
					"school": world["schools"][1],
					"date_asked": "2027-06-01",
					"response": "Refused",
					"refusal_reason": f"Refused {tag}",
				}
			]
		},
		"PP Plus Impact Report": {
			"school": school,
			"term": "Autumn",
			"rows": [{"claim": world["claims"][0], "what_was_done": f"Tuition {tag}"}],
		},
		"PP Plus Payment": {},  # the sample payment has its claim row
		"Disposal Batch": {
			"items": [
				{
					"record_kind": "Child Case Record",
					"reference_doctype": "Child",
					"reference_name": world["child"],
				}
			]
		},
		"Disposal Certificate": {"kinds": [{"document_type": f"Kind {tag}", "records": 1}]},
		"School Contact": {
			"trainings": [{"training_date": "2026-09-01", "kind": "Induction", "notes": f"Trained {tag}"}]
		},
		"School Calendar": {
			"closures": [
				{
					"closure_date": payload.get("terms", [{}])[0].get("start_date", ""),
					"reason": f"INSET {tag}",
				}
			]
		},
	}
	return {**payload, **rows[doctype]}


@pytest.fixture(scope="module")
def samples(world):
	"""[(table, parent doctype, parent name, parentfield, row as Administrator reads it)] for every app table."""
	admin: Admin = world["admin"]
	tables = sorted(row["name"] for row in app_doctypes(admin) if row["istable"])
	assert tables, "no child doctype of the app found"
	response = admin.session.get(
		admin.url("/api/resource/DocField"),
		params={
			"parent": "DocType",
			"fields": json.dumps(["parent", "fieldname", "options"]),
			"filters": json.dumps(
				[["fieldtype", "in", ["Table", "Table MultiSelect"]], ["options", "in", tables]]
			),
			"limit_page_length": 0,
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:2000]
	fields = response.json()["data"]
	orphans = sorted(set(tables) - {field["options"] for field in fields})
	assert not orphans, f"child doctypes without a parent Table field: {orphans}"
	parents, found = {}, []
	for field in sorted(fields, key=lambda field: (field["options"], field["parent"])):
		parent = field["parent"]
		if parent not in parents:
			if parent == "Child":
				parents[parent] = world["child"]
			elif parent == SETTINGS:
				parents[parent] = settings_with_rows(admin)
			else:
				try:
					payload = with_rows(parent, world)
				except KeyError:
					pytest.fail(
						f"{field['options']}: add a parent payload for {parent} to with_rows() in {__file__}"
					)
				parents[parent] = admin.insert(parent, payload)["name"]
		document = admin.get(parent, parents[parent])
		rows = document.get(field["fieldname"]) or []
		assert rows, f"{parent} {parents[parent]} has no {field['options']} row ({field['fieldname']})"
		row = admin.get(field["options"], rows[0]["name"])
		found.append((field["options"], parent, parents[parent], field["fieldname"], row))
	return found


def row_values(world: dict, table: str, row: dict) -> list[str]:
	"""The row's own text values, which no refusal may carry."""
	response = world["admin"].session.get(
		world["admin"].url("/api/resource/DocField"),
		params={
			"parent": "DocType",
			"fields": json.dumps(["fieldname"]),
			"filters": json.dumps(
				[["parent", "=", table], ["fieldtype", "in", ["Data", "Small Text", "Text", "Date"]]]
			),
			"limit_page_length": 0,
		},
		timeout=TIMEOUT,
	)
	fieldnames = {field["fieldname"] for field in response.json()["data"]} - STANDARD
	return [row[name] for name in fieldnames if isinstance(row.get(name), str) and len(row[name]) >= 6]


def side_doors(session, base_url: str, table: str, parent: str, parent_name: str, parentfield: str, row: str):
	"""{path: response} for each way of reading the row (or the parent's rows) by itself."""
	filters = json.dumps({"parent": parent_name, "parentfield": parentfield})
	method = f"{base_url}/api/method"
	return {
		"REST get": session.get(f"{base_url}/api/resource/{table}/{row}", timeout=TIMEOUT),
		"frappe.client.get": session.get(
			f"{method}/frappe.client.get",
			params={"doctype": table, "parent": parent, "filters": filters},
			timeout=TIMEOUT,
		),
		"getdoc": session.get(
			f"{method}/frappe.desk.form.load.getdoc", params={"doctype": table, "name": row}, timeout=TIMEOUT
		),
		"frappe.client.get_list": session.get(
			f"{method}/frappe.client.get_list",
			params={"doctype": table, "parent": parent, "filters": filters, "fields": json.dumps(["*"])},
			timeout=TIMEOUT,
		),
	}


def test_rows_are_read_exactly_when_the_parent_record_is(world, samples, base_url):
	problems, refused = [], set()
	for table, parent, parent_name, parentfield, row in samples:
		secrets = row_values(world, table, row)
		assert secrets, f"{table} row {row['name']} has no text value to look for"
		for role in ROLES:
			session = world["sessions"][role]
			may_read = session.get(f"{base_url}/api/resource/{parent}/{parent_name}", timeout=TIMEOUT).ok
			may_list = session.get(
				f"{base_url}/api/resource/{parent}", params={"limit_page_length": 1}, timeout=TIMEOUT
			).ok
			if role in ("portal_own", "portal_other", "website", "guest"):
				assert not may_read, f"{role} reads {parent} {parent_name}: the world is wrong"
			if not may_read:
				refused.add((table, role))
			doors = side_doors(session, base_url, table, parent, parent_name, parentfield, row["name"])
			for path, response in doors.items():
				where = f"{table} via {path} as {role}"
				if may_read:
					# frappe.client.get answers the parent's first row of that table, not always this one
					wanted = parent_name if path == "frappe.client.get" else row["name"]
					if response.status_code != 200 or wanted not in response.text:
						problems.append(f"{where}: expected the row, got {response.status_code}")
					continue
				want = 200 if path == "frappe.client.get_list" and may_list else FORBIDDEN
				if response.status_code != want:
					problems.append(f"{where}: expected {want}, got {response.status_code}")
				if want == 200 and response.json().get("message") != []:
					problems.append(f"{where}: expected an empty list, got {response.text[:200]}")
				leaked = [value for value in secrets if value in response.text]
				if leaked:
					problems.append(f"{where}: the refusal carries {leaked}")
			if not may_read:
				response = session.put(
					f"{base_url}/api/resource/{table}/{row['name']}", json={}, timeout=TIMEOUT
				)
				if response.status_code != FORBIDDEN:
					problems.append(f"{table} via PUT as {role}: expected 403, got {response.status_code}")
	assert not problems, "\n" + "\n".join(problems)
	# Not vacuous: another caseload's caseworker was refused the rows of every caseload record.
	for table, parent, *_rest in samples:
		if parent in ("Child", "Escalation", "Personal Education Plan", "School Place Request"):
			assert (table, "cw_other") in refused, f"cw_other reads {parent}: the world is wrong"


def test_row_fields_above_level_0_reach_only_roles_with_that_level(world, samples, base_url):
	"""Care Episode's placement postcode (level 1 on Child) never reaches Finance through a row's own path."""
	admin: Admin = world["admin"]
	checked = 0
	for table, parent, parent_name, parentfield, row in samples:
		response = admin.session.get(
			admin.url("/api/resource/DocField"),
			params={
				"parent": "DocType",
				"fields": json.dumps(["fieldname", "permlevel"]),
				"filters": json.dumps([["parent", "=", table], ["permlevel", ">", 0]]),
				"limit_page_length": 0,
			},
			timeout=TIMEOUT,
		)
		restricted = response.json()["data"]
		if not restricted:
			continue
		response = admin.session.get(
			admin.url("/api/resource/DocPerm"),
			params={
				"parent": "DocType",
				"fields": json.dumps(["role", "permlevel"]),
				"filters": json.dumps([["parent", "=", parent], ["read", "=", 1]]),
				"limit_page_length": 0,
			},
			timeout=TIMEOUT,
		)
		levels = {}
		for perm in response.json()["data"]:
			levels.setdefault(perm["role"], set()).add(perm["permlevel"])
		for field in restricted:
			secret = row.get(field["fieldname"])
			assert secret, f"the {table} sample row has no {field['fieldname']} value"
			for role, role_name in ROLE_NAMES.items():
				session = world["sessions"][role]
				doors = side_doors(session, base_url, table, parent, parent_name, parentfield, row["name"])
				for path, response in doors.items():
					if response.status_code != 200 or row["name"] not in response.text:
						continue
					if field["permlevel"] not in levels.get(role_name, set()):
						checked += 1
						assert secret not in response.text, (
							f"{table}.{field['fieldname']} via {path} to {role}"
						)
	assert checked, "no row field above level 0 was read by a role without its level: nothing checked"
