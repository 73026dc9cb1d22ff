"""Data for the school portal's tier-3 tests, made through the REST API as Administrator.

Two schools, each with a portal user (School Contact), a looked-after pupil with sensitive details, a PEP,
a place request asking the school for a place, and a PP+ impact report requested from it. Every value that
must never reach a school user is in SECRETS.
"""

import json
import random
import uuid
from datetime import date

import requests


class World(dict):
	pass


def _post(admin: requests.Session, base_url: str, doctype: str, payload: dict) -> dict:
	response = admin.post(f"{base_url}/api/resource/{doctype}", json=payload, timeout=30)
	assert response.status_code == 200, response.text
	return response.json()["data"]


def workflow(admin: requests.Session, base_url: str, doctype: str, name: str, action: str) -> dict:
	doc = admin.get(f"{base_url}/api/resource/{doctype}/{name}", timeout=30).json()["data"]
	response = admin.post(
		f"{base_url}/api/method/frappe.model.workflow.apply_workflow",
		data={"doc": json.dumps(doc), "action": action},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	return response.json()["message"]


def financial_year(on: date) -> tuple[str, str, str]:
	start = on.year if on.month >= 4 else on.year - 1
	return f"{start}-{(start + 1) % 100:02d}", f"{start}-04-01", f"{start + 1}-03-31"


def build(base_url: str, admin: requests.Session, ensure_user, tag: str) -> World:
	"""A fresh world; the two portal users (``portal1.<tag>``, ``portal2.<tag>``) are reused across runs (Frappe
	throttles user creation), and their School Contacts from earlier runs are switched off."""
	run = uuid.uuid4().hex[:6]
	today = date.today().isoformat()
	label, _start, _end = financial_year(date.today())
	if admin.get(f"{base_url}/api/resource/PP Plus Funding Year/{label}", timeout=30).status_code != 200:
		_post(
			admin,
			base_url,
			"PP Plus Funding Year",
			{"label": label, "rate_per_child": 2630, "top_slice_percent": 0},
		)
	world = World(run=run, funding_year=label, secrets=[], schools=[], users=[], children=[])
	for number in (1, 2):
		urn = f"{number}{random.randint(10000, 99999)}"
		_post(
			admin,
			base_url,
			"School",
			{"urn": urn, "school_name": f"Portal School {number} {run}", "la": "886"},
		)
		user = ensure_user(
			f"portal{number}.{tag}@school.test", "School Portal User", user_type="Website User"
		)
		earlier = admin.get(
			f"{base_url}/api/resource/School Contact",
			params={"filters": json.dumps({"user": user, "is_active": 1}), "limit_page_length": 0},
			timeout=30,
		).json()["data"]
		for contact in earlier:
			response = admin.put(
				f"{base_url}/api/resource/School Contact/{contact['name']}", json={"is_active": 0}, timeout=30
			)
			assert response.status_code == 200, response.text
		_post(
			admin,
			base_url,
			"School Contact",
			{"school": urn, "full_name": f"Teacher {number}", "user": user, "email": user},
		)
		secrets = {
			"carer_name": f"Carer{number}Secret{run}",
			"carer_phone": f"0770090{number}{random.randint(100, 999)}",
			"carer_address": f"{number} Carer Lane {run}",
			"placement_address": f"{number} Placement Road {run}",
			"legal_status_notes": f"LegalNote{number}{run}",
			"social_care_id": f"SC{number}{run}",
			"social_worker_name": f"SocialWorker{number}{run}",
		}
		child = _post(
			admin,
			base_url,
			"Child",
			{
				"first_name": f"Pupil{number}",
				"last_name": f"Portal{run}",
				"date_of_birth": f"2016-04-0{number}",
				"cohort": "Looked After",
				"legal_status": "C2 - Full care order",
				"date_entered_care": "2024-01-10",
				**secrets,
			},
		)["name"]
		world["secrets"] += [*secrets.values(), "C2 - Full care order"]
		_post(
			admin,
			base_url,
			"Education Placement",
			{"child": child, "school": urn, "start_date": "2025-09-03"},
		)
		world["schools"].append(urn)
		world["users"].append(user)
		world["children"].append(child)
	world["peps"], world["funding_peps"], world["requests"], world["reports"], world["claims"] = (
		[],
		[],
		[],
		[],
		[],
	)
	for number, (child, school) in enumerate(zip(world["children"], world["schools"], strict=True), start=1):
		pep = _post(
			admin,
			base_url,
			"Personal Education Plan",
			{
				"child": child,
				"school": school,
				"due_date": today,
				"targets": [{"area": "Maths", "target": f"Know times tables to 12 {run}"}],
			},
		)
		world["peps"].append(pep["name"])
		funding = _post(
			admin,
			base_url,
			"Personal Education Plan",
			{
				"child": child,
				"school": school,
				"due_date": today,
				"meeting_date": today,
				"child_views": "I want to read a whole chapter book on my own.",
				"targets": [{"area": "Reading and writing", "target": f"Read a chapter book {run}"}],
			},
		)
		workflow(admin, base_url, "Personal Education Plan", funding["name"], "Submit PEP")
		world["funding_peps"].append(funding["name"])
		newcomer = _post(
			admin,
			base_url,
			"Child",
			{
				"first_name": f"Newcomer{number}",
				"last_name": f"Portal{run}",
				"date_of_birth": "2015-05-05",
				"cohort": "Looked After",
				"carer_address": f"Newcomer Carer Address {run}",
			},
		)["name"]
		request = _post(
			admin,
			base_url,
			"School Place Request",
			{
				"child": newcomer,
				"date_needed": today,
				"reason": "Entered care",
				"approaches": [{"school": school, "date_asked": today, "response": "Awaiting"}],
			},
		)
		workflow(admin, base_url, "School Place Request", request["name"], "Request Place")
		world["requests"].append(request["name"])
		claim = _post(
			admin,
			base_url,
			"PP Plus Claim",
			{
				"child": child,
				"school": school,
				"funding_year": label,
				"claim_date": today,
				"amount": 100,
				"category": "Tuition",
				"description": f"Tutor {run}",
			},
		)
		for action in ("Submit Claim", "Start Review", "Approve"):
			workflow(admin, base_url, "PP Plus Claim", claim["name"], action)
		world["claims"].append(claim["name"])
		report = _post(
			admin,
			base_url,
			"PP Plus Impact Report",
			{
				"school": school,
				"funding_year": label,
				"term": claim["term"],
				"due_date": today,
				"rows": [{"claim": claim["name"]}],
			},
		)
		world["reports"].append(report["name"])
	return world


def pep_target_row(admin: requests.Session, base_url: str, pep: str) -> str:
	doc = admin.get(f"{base_url}/api/resource/Personal Education Plan/{pep}", timeout=30).json()["data"]
	return doc["targets"][0]["name"]


def approach_row(admin: requests.Session, base_url: str, request: str) -> str:
	doc = admin.get(f"{base_url}/api/resource/School Place Request/{request}", timeout=30).json()["data"]
	return doc["approaches"][0]["name"]


def impact_row(admin: requests.Session, base_url: str, report: str) -> str:
	doc = admin.get(f"{base_url}/api/resource/PP Plus Impact Report/{report}", timeout=30).json()["data"]
	return doc["rows"][0]["name"]
