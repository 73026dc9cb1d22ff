"""Rows that point at a record follow that record's permission, over HTTP with real logins (issue #17).

Guard: virtual_school/security/references.py (``query_conditions``/``has_permission`` on File, ToDo,
Workflow Action, Comment, Document Follow...; ``validate`` and the ``toggle_like`` guard on writes). The
world is test_attacks.py's: a caseworker ("own") with a child on their caseload, another caseworker
("other") with a child of their own, Finance, a manager and a School Portal User of the children's
school. Every refused write is re-read as Administrator: nothing was written.
"""

import json
import uuid

import pytest
import test_attacks
from conftest import refused
from test_permission_matrix import FUNDING_YEAR, claim_payload

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]
TIMEOUT = 30
OUTSIDERS = ("other", "portal")  # neither may read the "own" caseworker's child


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	"""test_attacks.py's world, built again under names of its own: a child's name and birth date must be
	unique, and that module's own world may be built in the same session."""
	build = test_attacks.world.__wrapped__
	with pytest.MonkeyPatch.context() as patch:
		patch.setattr(test_attacks, "RUN", uuid.uuid4().hex[:6])
		return build(base_url, admin_password, login_as, ensure_user, user_password)


def api(session, base_url: str, method: str, path: str, **kwargs):
	return session.request(method, f"{base_url}{path}", timeout=TIMEOUT, **kwargs)


def rows(admin, base_url: str, doctype: str, filters: list) -> list[dict]:
	response = api(
		admin,
		base_url,
		"GET",
		f"/api/resource/{doctype}",
		params={"filters": json.dumps(filters), "fields": json.dumps(["*"]), "limit_page_length": 0},
	)
	assert response.status_code == 200, response.text[:500]
	return response.json()["data"]


def traces(world, base_url: str) -> dict:
	"""What a side method could leave on the "own" child, read as Administrator."""
	admin, child = world["admin"], world["own"]
	record = api(admin, base_url, "GET", f"/api/resource/Child/{child}").json()["data"]
	return {
		"comments": rows(admin, base_url, "Comment", [["reference_name", "=", child]]),
		"todos": rows(admin, base_url, "ToDo", [["reference_name", "=", child]]),
		"follows": rows(admin, base_url, "Document Follow", [["ref_docname", "=", child]]),
		"files": rows(admin, base_url, "File", [["attached_to_name", "=", child]]),
		"liked_by": record.get("_liked_by"),
		"assign": record.get("_assign"),
	}


@pytest.fixture(scope="module")
def side(world, base_url):
	"""A private file on the own child, a claim not yet approved with its decision letter, follows switched on."""
	admin = world["admin"]
	for user in world["users"].values():  # else following is a no-op and proves nothing
		response = api(
			admin, base_url, "PUT", f"/api/resource/User/{user}", json={"document_follow_notify": 1}
		)
		assert response.status_code == 200, response.text[:500]

	def upload(doctype: str, name: str, file_name: str) -> dict:
		response = api(
			admin,
			base_url,
			"POST",
			"/api/method/upload_file",
			files={"file": (file_name, f"{file_name} {uuid.uuid4().hex}".encode(), "text/plain")},
			data={"is_private": 1, "doctype": doctype, "docname": name},
		)
		assert response.status_code == 200, response.text[:500]
		return response.json()["message"]

	if api(admin, base_url, "GET", f"/api/resource/PP Plus Funding Year/{FUNDING_YEAR}").status_code != 200:
		payload = {"label": FUNDING_YEAR, "rate_per_child": 2630, "top_slice_percent": 0}
		response = api(admin, base_url, "POST", "/api/resource/PP Plus Funding Year", json=payload)
		assert response.status_code == 200, response.text[:500]
	response = api(
		admin,
		base_url,
		"POST",
		"/api/resource/PP Plus Claim",
		json=claim_payload(world["own"], world["school"]),
	)
	assert response.status_code == 200, response.text[:500]
	claim = response.json()["data"]
	assert claim["workflow_state"] != "Approved"
	return {
		"file": upload("Child", world["own"], f"Own{RUN} school report.txt"),
		"claim": claim["name"],
		"letter": upload("PP Plus Claim", claim["name"], f"{claim['name']}-decision-rejected-{RUN}.txt"),
	}


def post_side_method(world, base_url, key: str, method: str, **data):
	return api(world["sessions"][key], base_url, "POST", f"/api/method/{method}", data=data)


WRITES = {
	"toggle_like": lambda world, key, side: ("frappe.desk.like.toggle_like", {"add": "Yes"}),
	"follow_document": lambda world, key, side: (
		"frappe.desk.form.document_follow.follow_document",
		{"user": world["users"][key]},
	),
	"assign_to.add": lambda world, key, side: (
		"frappe.desk.form.assign_to.add",
		{"assign_to": json.dumps([world["users"][key]])},
	),
	"add_comment": lambda world, key, side: (
		"frappe.desk.form.utils.add_comment",
		{"content": "hello", "comment_email": world["users"][key], "comment_by": world["users"][key]},
	),
}
# Each method's own names for the record it acts on.
TARGET_ARGS = {
	"frappe.desk.like.toggle_like": ("doctype", "name"),
	"frappe.desk.form.document_follow.follow_document": ("doctype", "doc_name"),
	"frappe.desk.form.assign_to.add": ("doctype", "name"),
	"frappe.desk.form.utils.add_comment": ("reference_doctype", "reference_name"),
}


@pytest.mark.parametrize("key", OUTSIDERS)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_side_methods_refuse_a_record_out_of_reach_and_write_nothing(world, base_url, side, key, write):
	method, data = WRITES[write](world, key, side)
	doctype_arg, name_arg = TARGET_ARGS[method]
	before = traces(world, base_url)
	response = post_side_method(
		world, base_url, key, method, **data, **{doctype_arg: "Child", name_arg: world["own"]}
	)
	refused(response, 403, "PermissionError")
	assert traces(world, base_url) == before


@pytest.mark.parametrize("key", OUTSIDERS)
def test_todo_and_file_copies_through_rest_are_refused_and_write_nothing(world, base_url, side, key):
	session, admin = world["sessions"][key], world["admin"]
	before = traces(world, base_url)
	todo = {
		"allocated_to": world["users"][key],
		"description": f"look {RUN}",
		"reference_type": "Child",
		"reference_name": world["own"],
	}
	refused(api(session, base_url, "POST", "/api/resource/ToDo", json=todo), 403, "PermissionError")
	copies = rows(admin, base_url, "File", [["file_url", "=", side["file"]["file_url"]]])
	copy = {"file_url": side["file"]["file_url"], "is_private": 1}
	refused(api(session, base_url, "POST", "/api/resource/File", json=copy), 403, "PermissionError")
	assert rows(admin, base_url, "File", [["file_url", "=", side["file"]["file_url"]]]) == copies
	assert api(session, base_url, "GET", side["file"]["file_url"]).status_code in (403, 404)
	assert traces(world, base_url) == before


def test_the_caseworker_of_the_record_may_like_follow_and_assign(world, base_url, side):
	for write in sorted(WRITES):
		method, data = WRITES[write](world, "own", side)
		doctype_arg, name_arg = TARGET_ARGS[method]
		response = post_side_method(
			world, base_url, "own", method, **data, **{doctype_arg: "Child", name_arg: world["own"]}
		)
		assert response.status_code == 200, f"{write}: {response.text[:500]}"
	after = traces(world, base_url)
	assert world["users"]["own"] in json.loads(after["liked_by"])
	assert after["follows"] and after["todos"] and after["comments"]


def test_workflow_actions_are_listed_only_with_their_record(world, base_url):
	admin = world["admin"]
	actions = rows(
		admin, base_url, "Workflow Action", [["reference_name", "=", world["own"]], ["status", "=", "Open"]]
	)
	if not actions:  # the attack tests may have moved the case on: open one
		response = api(
			admin,
			base_url,
			"POST",
			"/api/resource/Child",
			json={
				"first_name": f"Flow{RUN}",
				"last_name": "Action",
				"date_of_birth": "2015-02-02",
				"cohort": "Looked After",
				"caseworker": world["users"]["own"],
			},
		)
		assert response.status_code == 200, response.text[:500]
		child = response.json()["data"]["name"]
		actions = rows(
			admin, base_url, "Workflow Action", [["reference_name", "=", child], ["status", "=", "Open"]]
		)
	assert actions, "Frappe opens a workflow action for the caseworkers on a new case"
	names = {action["name"] for action in actions}
	listing = {"fields": json.dumps(["name", "reference_name", "workflow_state"]), "limit_page_length": 0}
	for key, visible in (("own", True), ("other", False), ("finance", False)):
		session = world["sessions"][key]
		response = api(session, base_url, "GET", "/api/resource/Workflow Action", params=listing)
		assert response.status_code == 200, response.text[:500]
		listed = {row["name"] for row in response.json()["data"]}
		assert (names <= listed) if visible else not (names & listed), key
		for name in names:
			single = api(session, base_url, "GET", f"/api/resource/Workflow Action/{name}")
			if visible:
				assert single.status_code == 200, single.text[:300]
			else:
				refused(single, 403, "PermissionError")


def test_finance_file_list_names_no_decision_letter_of_a_claim_under_review(world, base_url, side):
	session = world["sessions"]["finance"]
	letter = side["letter"]
	response = api(
		session,
		base_url,
		"GET",
		"/api/resource/File",
		params={"fields": json.dumps(["name", "file_name", "attached_to_name"]), "limit_page_length": 0},
	)
	assert response.status_code == 200, response.text[:500]
	assert side["claim"] not in response.text
	assert letter["file_name"] not in response.text
	refused(api(session, base_url, "GET", f"/api/resource/File/{letter['name']}"), 403, "PermissionError")
	# Admin sees it: the row exists, it is the guard that hides it.
	assert rows(world["admin"], base_url, "File", [["name", "=", letter["name"]]])
