"""Restricted fields over HTTP with real logins: never a filter, sort, group or expression (issue #17).

Finance (any role that reads a doctype without a field's permission level, read from the DocType's
permissions) asks every generic path for the world's secret carer name, placement postcode and a
contact's portal user, one restricted field per app doctype that has one, the field in filters,
or_filters, order_by, group_by and a field expression. Frappe answers 403 (PermissionError) and the
value is not in the body. A role with the level runs the same filter and finds the record, so the
refusal is what stops the leak. Version history (the form's timeline) is stripped the same way.

The world (users of each role, a child with carer and placement details) is test_permission_matrix's.
The guards: virtual_school/security/restricted_fields.py; tier 2: virtual_school/tests/
test_side_doors_restricted_fields.py.
"""

import json

import pytest
from test_permission_matrix import RUN, TIMEOUT, app_doctypes, world

__all__ = ["world"]  # the permission matrix's world (a module-scoped fixture), reused here

pytestmark = pytest.mark.http

VALUE_TYPES = ("Data", "Small Text", "Text", "Long Text", "Link", "Select", "Int", "Date")


def doctype_doc(world, doctype: str) -> dict:
	response = world["admin"].session.get(
		world["admin"].url(f"/api/resource/DocType/{doctype}"), timeout=TIMEOUT
	)
	assert response.status_code == 200, response.text[:500]
	return response.json()["data"]


def targets(world) -> list[dict]:
	"""One restricted field per app doctype that has one: where it is queried, who lacks and who has it."""
	doctypes = app_doctypes(world["admin"])
	docs = {row["name"]: doctype_doc(world, row["name"]) for row in doctypes}
	parents = {
		field["options"]: name
		for name, doc in docs.items()
		for field in doc["fields"]
		if field["fieldtype"] == "Table" and not doc.get("istable")
	}
	out = []
	for name, doc in sorted(docs.items()):
		if doc.get("issingle"):
			continue
		field = next((f for f in doc["fields"] if f.get("permlevel") and f["fieldtype"] in VALUE_TYPES), None)
		if not field:
			continue
		query = parents.get(name) if doc.get("istable") else name
		if not query:
			continue
		levels = {}
		for perm in docs[query]["permissions"]:
			if perm.get("read"):
				levels.setdefault(perm["role"], set()).add(perm.get("permlevel") or 0)
		out.append(
			{
				"doctype": name,
				"field": field["fieldname"],
				"query": query,
				"child": bool(doc.get("istable")),
				"lacking": {r for r, have in levels.items() if 0 in have and field["permlevel"] not in have},
				"having": {r for r, have in levels.items() if 0 in have and field["permlevel"] in have},
			}
		)
	return out


@pytest.fixture(scope="module")
def sessions_by_role(world):
	"""The world's signed-in users, by the role each has."""
	admin = world["admin"]
	out = {}
	for key, email in world["users"].items():
		response = admin.session.get(admin.url(f"/api/resource/User/{email}"), timeout=TIMEOUT)
		for row in response.json()["data"].get("roles", []):
			out.setdefault(row["role"], world["sessions"][key])
	return out


def secrets(world) -> dict[str, str]:
	"""The world's values of the restricted fields (the first one of each doctype) that must not leak."""
	return {
		"carer_name": f"Carer{RUN}",
		"placement_address": f"{RUN} Secret Street",
		"placement_postcode": f"ZZ{RUN}",
		"user": world["users"]["portal_own"],
	}


def requests_for(world, target, value: str) -> list[tuple[str, str, str, dict]]:
	"""(path, where, HTTP method + url, params) for every path and place of the field."""
	doctype, field, query = target["doctype"], target["field"], target["query"]
	column = f"`tab{doctype}`.`{field}`"
	flt = [doctype, field, "like", f"{value[:3]}%"] if target["child"] else [field, "like", f"{value[:3]}%"]
	join = [f"`tab{doctype}`.`name` as vs_row"] if target["child"] else []
	kinds = {
		"filters": {"fields": ["name", *join], "filters": [flt]},
		"or_filters": {"fields": ["name", *join], "or_filters": [flt, ["name", "like", "%"]]},
		"order_by": {"fields": ["name", *join], "order_by": f"{column} desc"},
		"group_by": {"fields": [f"count(`tab{query}`.`name`) as vs_n", *join], "group_by": column},
		"fields": {
			"fields": [
				f"sum(if(`tab{query}`.`name` is not null and {column} like 'C%', 1, 0)) as vs_n",
				*join,
			]
		},
	}

	def encode(args):
		return {k: json.dumps(v) if isinstance(v, list) else v for k, v in args.items()}

	out = []
	for where, args in kinds.items():
		out.append(("GET /api/resource", where, f"GET /api/resource/{query}", encode(args)))
		out.append(
			(
				"frappe.client.get_list",
				where,
				"POST /api/method/frappe.client.get_list",
				{"doctype": query, **encode(args)},
			)
		)
		out.append(
			(
				"reportview.get",
				where,
				"POST /api/method/frappe.desk.reportview.get",
				{"doctype": query, **encode(args)},
			)
		)
		out.append(
			(
				"reportview.export_query",
				where,
				"POST /api/method/frappe.desk.reportview.export_query",
				{"doctype": query, "file_format_type": "CSV", "title": "x", **encode(args)},
			)
		)
	filters = json.dumps([flt])
	out += [
		(
			"reportview.get_count",
			"filters",
			"POST /api/method/frappe.desk.reportview.get_count",
			{"doctype": query, "filters": filters},
		),
		(
			"frappe.client.get_count",
			"filters",
			"GET /api/method/frappe.client.get_count",
			{"doctype": query, "filters": filters},
		),
		(
			"frappe.client.get_value",
			"filters",
			"GET /api/method/frappe.client.get_value",
			{"doctype": query, "fieldname": "name", "filters": filters},
		),
		(
			"listview.get_group_by_count",
			"filters",
			"POST /api/method/frappe.desk.listview.get_group_by_count",
			{"doctype": query, "current_filters": filters, "field": "owner"},
		),
		(
			"reportview.get_sidebar_stats",
			"filters",
			"POST /api/method/frappe.desk.reportview.get_sidebar_stats",
			{"doctype": query, "stats": '["owner"]', "filters": filters},
		),
		(
			"search.search_link",
			"filters",
			"POST /api/method/frappe.desk.search.search_link",
			{"doctype": query, "txt": "", "filters": filters},
		),
	]
	if not target["child"]:
		out.append(
			(
				"listview.get_group_by_count",
				"group_by",
				"POST /api/method/frappe.desk.listview.get_group_by_count",
				{"doctype": query, "current_filters": "[]", "field": field},
			)
		)
	return out


def send(session, base_url: str, request: str, params: dict):
	method, path = request.split(" ", 1)
	if method == "GET":
		return session.get(f"{base_url}{path}", params=params, timeout=TIMEOUT)
	return session.post(f"{base_url}{path}", data=params, timeout=TIMEOUT)


def test_every_path_refuses_a_restricted_field(world, base_url, sessions_by_role):
	found = targets(world)
	assert {t["doctype"] for t in found} >= {"Child", "Care Episode", "School Contact"}, found
	values = secrets(world)
	checked = 0
	for target in found:
		value = values.get(target["field"])
		if value is None:
			continue  # no world value for this field: tier 2 covers it
		for role in sorted(target["lacking"] & set(sessions_by_role)):
			session = sessions_by_role[role]
			for path, where, request, params in requests_for(world, target, value):
				response = send(session, base_url, request, params)
				label = f"{role} {path} {target['doctype']}.{target['field']} in {where}"
				assert response.status_code == 403, f"{label}: {response.status_code} {response.text[:300]}"
				assert target["field"] in response.text, f"{label}: the refusal does not name the field"
				assert value not in response.text, f"{label} leaks {value}"
				checked += 1
	assert checked, "no role lacks a level in this world"


def test_a_role_with_the_level_finds_the_record_with_the_same_filter(world, base_url, sessions_by_role):
	"""So the refusal above is what stops the leak: the filter does match the world's record."""
	values = secrets(world)
	for target in targets(world):
		value = values.get(target["field"])
		having = sorted(target["having"] & set(sessions_by_role) - {"System Manager"})
		if value is None or not having:
			continue
		session = sessions_by_role[having[0]]
		flt = [target["doctype"], target["field"], "=", value]
		response = session.get(
			f"{base_url}/api/resource/{target['query']}",
			params={"filters": json.dumps([flt]), "limit_page_length": 100},
			timeout=TIMEOUT,
		)
		assert response.status_code == 200, response.text[:300]
		assert response.json()["data"], (
			f"{having[0]} finds no {target['query']} with {target['field']} = {value}"
		)


def test_version_history_is_stripped_for_finance(world, base_url, sessions_by_role):
	"""A child of its own (the shared world's child stays as it is), its carer changed once by the admin."""
	admin = world["admin"]
	old_carer, new_carer = f"VersionCarer{RUN}", f"NewCarer{RUN}"
	child = admin.insert(
		"Child",
		{
			"first_name": "Version",
			"last_name": f"History{RUN}",
			"date_of_birth": "2015-06-01",
			"cohort": "Looked After",
			"caseworker": world["users"]["cw_own"],
			"carer_name": old_carer,
		},
	)["name"]
	response = admin.session.put(
		admin.url(f"/api/resource/Child/{child}"),
		json={"carer_name": new_carer, "preferred_name": f"Pref{RUN}"},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:500]
	finance = world["sessions"]["finance"]
	manager = world["sessions"]["manager"]
	params = {"doctype": "Child", "name": child}
	for url in ("frappe.desk.form.load.getdoc", "frappe.desk.form.load.get_docinfo"):
		seen = finance.get(f"{base_url}/api/method/{url}", params=params, timeout=TIMEOUT)
		assert seen.status_code == 200, seen.text[:300]
		assert f"Pref{RUN}" in seen.text, f"{url}: the version itself is still shown"
		for secret in (old_carer, new_carer):
			assert secret not in seen.text, f"{url} leaks {secret} to finance"
		full = manager.get(f"{base_url}/api/method/{url}", params=params, timeout=TIMEOUT)
		assert new_carer in full.text and old_carer in full.text, f"{url}: the manager sees the change"
	versions = admin.session.get(
		admin.url("/api/resource/Version"),
		params={"filters": json.dumps([["docname", "=", child], ["ref_doctype", "=", "Child"]])},
		timeout=TIMEOUT,
	).json()["data"]
	assert versions
	for version in versions:
		response = finance.get(f"{base_url}/api/resource/Version/{version['name']}", timeout=TIMEOUT)
		assert response.status_code in (200, 403), response.text[:300]
		assert new_carer not in response.text and old_carer not in response.text
	listed = finance.get(
		f"{base_url}/api/resource/Version",
		params={"fields": '["name", "data"]', "filters": json.dumps([["docname", "=", child]])},
		timeout=TIMEOUT,
	)
	assert listed.status_code in (200, 403), listed.text[:300]
	assert new_carer not in listed.text and old_carer not in listed.text
