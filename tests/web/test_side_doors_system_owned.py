"""The issue's attacks on system-owned fields, over HTTP with real logins (issue #17).

Guard: virtual_school/security/system_owned.py (fields only the code or the workflow sets are refused from
any request, 403 SystemOwnedFieldError). Each attack is made the way the issue reports it, then the record
is read back as Administrator: it is unchanged. The table-driven proof over every owned field, role and
path is tier 2 (virtual_school/tests/test_side_doors_system_owned.py).
"""

import json
import uuid

import pytest
import test_permission_matrix as matrix
from conftest import refused
from test_permission_matrix import TIMEOUT, sample_payload

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]
FORBIDDEN = 403
GUARD = "SystemOwnedFieldError"

# The permission matrix's world (users of each role, two schools, a child on cw_own's caseload, two approved
# claims), built for this module under its own tag (a second child of the same name would be a duplicate).
world = matrix.world


@pytest.fixture(scope="module", autouse=True)
def own_run_tag():
	"""Autouse, so it is set up before the module's world (pytest sets up autouse fixtures first)."""
	with pytest.MonkeyPatch.context() as patch:
		patch.setattr(matrix, "RUN", RUN)
		yield


def put(session, world, doctype: str, name: str, values: dict):
	return session.put(world["admin"].url(f"/api/resource/{doctype}/{name}"), json=values, timeout=TIMEOUT)


def set_value(session, world, doctype: str, name: str, values: dict):
	return session.post(
		world["admin"].url("/api/method/frappe.client.set_value"),
		data={"doctype": doctype, "name": name, "fieldname": json.dumps(values)},
		timeout=TIMEOUT,
	)


def savedocs(session, world, doctype: str, name: str, values: dict):
	"""The desk's Save: the document as this user reads it, with the change."""
	doc = session.get(world["admin"].url(f"/api/resource/{doctype}/{name}"), timeout=TIMEOUT).json()["data"]
	return session.post(
		world["admin"].url("/api/method/frappe.desk.form.save.savedocs"),
		data={"doc": json.dumps({**doc, **values}), "action": "Save"},
		timeout=TIMEOUT,
	)


def workflow(session, world, doctype: str, name: str, action: str):
	doc = world["admin"].get(doctype, name)
	return session.post(
		world["admin"].url("/api/method/frappe.model.workflow.apply_workflow"),
		data={"doc": json.dumps(doc), "action": action},
		timeout=TIMEOUT,
	)


def stored(world, doctype: str, name: str, *fields: str) -> tuple:
	doc = world["admin"].get(doctype, name)
	return tuple(doc.get(field) for field in fields)


def test_a_submitter_cannot_rewrite_submitted_by_and_then_approve(world):
	sessions, admin = world["sessions"], world["admin"]
	payload = {**matrix.claim_payload(world["child"], world["schools"][0]), "description": f"Own claim {RUN}"}
	# Raised by the caseworker and submitted by the manager, who then may not decide it (the app's rule).
	response = sessions["cw_own"].post(
		admin.url("/api/resource/PP Plus Claim"), json=payload, timeout=TIMEOUT
	)
	assert response.status_code == 200, response.text[:500]
	claim = response.json()["data"]["name"]
	assert workflow(sessions["manager"], world, "PP Plus Claim", claim, "Submit Claim").status_code == 200
	assert workflow(sessions["head"], world, "PP Plus Claim", claim, "Start Review").status_code == 200
	refused(
		workflow(sessions["manager"], world, "PP Plus Claim", claim, "Approve"),
		FORBIDDEN,
		"SelfApprovalError",
	)
	# The attack: the submitter rewrites submitted_by (to the caseworker, or to nobody), then approves.
	for values in ({"submitted_by": world["users"]["cw_own"]}, {"submitted_by": None}):
		refused(put(sessions["manager"], world, "PP Plus Claim", claim, values), FORBIDDEN, GUARD)
	assert stored(world, "PP Plus Claim", claim, "submitted_by", "requester") == (
		world["users"]["manager"],
		world["users"]["cw_own"],
	)
	refused(
		workflow(sessions["manager"], world, "PP Plus Claim", claim, "Approve"),
		FORBIDDEN,
		"SelfApprovalError",
	)
	# Nor by sending the state itself: the transition exists for managers, but only through the workflow.
	refused(
		put(sessions["manager"], world, "PP Plus Claim", claim, {"workflow_state": "Approved"}),
		FORBIDDEN,
		GUARD,
	)
	assert stored(world, "PP Plus Claim", claim, "workflow_state", "approver") == ("Under Review", None)


def test_a_caseworker_cannot_rewrite_an_approved_claims_decision(world):
	session, claim = world["sessions"]["cw_own"], world["claims"][0]
	fields = ("approver", "decided_on", "decision_reason", "workflow_state")
	before = stored(world, "PP Plus Claim", claim, *fields)
	assert before[3] == "Approved"
	for values in (
		{"approver": world["users"]["cw_own"]},
		{"decided_on": "2026-10-02"},
		{"decision_reason": f"Rewritten {RUN}"},
	):
		refused(put(session, world, "PP Plus Claim", claim, values), FORBIDDEN, GUARD)
		refused(set_value(session, world, "PP Plus Claim", claim, values), FORBIDDEN, GUARD)
		refused(savedocs(session, world, "PP Plus Claim", claim, values), FORBIDDEN, GUARD)
	assert stored(world, "PP Plus Claim", claim, *fields) == before
	# A decision is not set with a new claim either.
	payload = {
		**matrix.claim_payload(world["child"], world["schools"][0]),
		"approver": world["users"]["cw_own"],
	}
	response = session.post(world["admin"].url("/api/resource/PP Plus Claim"), json=payload, timeout=TIMEOUT)
	refused(response, FORBIDDEN, GUARD)


def test_a_caseworker_cannot_rate_their_own_pep(world):
	session, admin = world["sessions"]["cw_own"], world["admin"]
	pep = admin.insert("Personal Education Plan", sample_payload("Personal Education Plan", world))["name"]
	for call in (put, set_value, savedocs):
		refused(
			call(session, world, "Personal Education Plan", pep, {"qa_rating": "Green"}), FORBIDDEN, GUARD
		)
		refused(
			call(session, world, "Personal Education Plan", pep, {"qa_comments": f"Fine {RUN}"}),
			FORBIDDEN,
			GUARD,
		)
	assert not any(stored(world, "Personal Education Plan", pep, "qa_rating", "qa_comments"))
	# The QA roles may.
	response = put(
		world["sessions"]["manager"], world, "Personal Education Plan", pep, {"qa_rating": "Amber"}
	)
	assert response.status_code == 200, response.text[:500]
	assert stored(world, "Personal Education Plan", pep, "qa_rating") == ("Amber",)


def test_a_caseworker_cannot_close_a_child_without_the_managers_sign_off(world):
	session, child = world["sessions"]["cw_own"], world["child"]
	before = stored(world, "Child", child, "status", "workflow_state")
	assert before[0] == "Active"
	for call in (put, set_value, savedocs):
		refused(call(session, world, "Child", child, {"status": "Closed"}), FORBIDDEN, GUARD)
		refused(call(session, world, "Child", child, {"workflow_state": "Closed"}), FORBIDDEN, GUARD)
	assert stored(world, "Child", child, "status", "workflow_state") == before


def test_an_escalation_cannot_be_moved_onto_another_caseloads_record(world):
	session, admin, users = world["sessions"]["cw_own"], world["admin"], world["users"]
	other_child = admin.insert(
		"Child",
		{
			"first_name": "Elsewhere",
			"last_name": f"Sysown{RUN}",
			"date_of_birth": "2016-07-07",
			"cohort": "Looked After",
			"caseworker": users["cw_other"],
		},
	)["name"]
	own_pep = admin.insert("Personal Education Plan", sample_payload("Personal Education Plan", world))[
		"name"
	]
	other_pep = admin.insert("Personal Education Plan", {"child": other_child, "due_date": "2026-11-30"})[
		"name"
	]
	response = session.post(
		admin.url("/api/resource/Escalation"),
		json={
			"reference_doctype": "Personal Education Plan",
			"reference_name": own_pep,
			"reason": f"Late {RUN}",
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:500]
	escalation = response.json()["data"]["name"]
	for values in (
		{"reference_name": other_pep},
		{"reference_doctype": "Child", "reference_name": other_child},
		{"child": other_child},
	):
		response = put(session, world, "Escalation", escalation, values)
		refused(response, FORBIDDEN, GUARD if "child" not in values else None)
	assert stored(world, "Escalation", escalation, "reference_doctype", "reference_name", "child") == (
		"Personal Education Plan",
		own_pep,
		world["child"],
	)
	assert not stored(world, "Personal Education Plan", other_pep, "escalation_level")[0]
	assert stored(world, "Personal Education Plan", own_pep, "escalation_level") == (1,)


def test_a_caseworker_cannot_move_or_reactivate_a_school_contact(world):
	sessions, admin, schools = world["sessions"], world["admin"], world["schools"]
	contact = admin.insert(
		"School Contact",
		{"school": schools[0], "full_name": f"Left Teacher {RUN}", "contact_role": "SENCO", "is_active": 0},
	)["name"]
	for values in ({"school": schools[1]}, {"is_active": 1}):
		refused(put(sessions["cw_own"], world, "School Contact", contact, values), FORBIDDEN, GUARD)
		refused(set_value(sessions["cw_own"], world, "School Contact", contact, values), FORBIDDEN, GUARD)
	assert stored(world, "School Contact", contact, "school", "is_active") == (schools[0], 0)
	# A caseworker still keeps contacts up to date, and managers decide where a contact belongs.
	response = put(sessions["cw_own"], world, "School Contact", contact, {"phone": "+441234567890"})
	assert response.status_code == 200, response.text[:500]
	response = put(
		sessions["manager"], world, "School Contact", contact, {"school": schools[1], "is_active": 1}
	)
	assert response.status_code == 200, response.text[:500]
	assert stored(world, "School Contact", contact, "school", "is_active") == (schools[1], 1)
