"""Workflows as files: virtual_school/workflows/*.json sync into the site (create, update, no duplicates)."""

import json
import tempfile
from pathlib import Path

import frappe

from virtual_school.setup.workflows import WorkflowFileError, sync_workflows, workflows_folder
from virtual_school.tests.utils import VirtualSchoolTestCase

TEST_WORKFLOW = "VS Test Child Review"


def workflow_definition(**overrides) -> dict:
	definition = {
		"doctype": "Workflow",
		"workflow_name": TEST_WORKFLOW,
		"document_type": "Child",
		"is_active": 0,
		"send_email_alert": 0,
		"workflow_state_field": "workflow_state",
		"states": [
			{
				"state": "VS Test Drafted",
				"doc_status": "0",
				"allow_edit": "Virtual School Caseworker",
				"style": "Info",
			},
			{
				"state": "VS Test Checked",
				"doc_status": "0",
				"allow_edit": "Virtual School Manager",
				"style": "Success",
			},
		],
		"transitions": [
			{
				"state": "VS Test Drafted",
				"action": "VS Test Check",
				"next_state": "VS Test Checked",
				"allowed": "Virtual School Manager",
				"allow_self_approval": 0,
			}
		],
	}
	definition.update(overrides)
	return definition


class TestWorkflowSync(VirtualSchoolTestCase):
	def setUp(self):
		self.folder = Path(tempfile.mkdtemp())

	def write(self, definition, name="test_review.json"):
		(self.folder / name).write_text(
			json.dumps(definition) if not isinstance(definition, str) else definition
		)

	def test_every_app_workflow_file_is_synced_and_active(self):
		files = sorted(workflows_folder().glob("*.json"))
		self.assertTrue(files, "the app ships workflow files")
		for path in files:
			definition = json.loads(path.read_text())
			workflow = frappe.get_doc("Workflow", definition["workflow_name"])
			self.assertEqual(workflow.document_type, definition["document_type"])
			self.assertEqual(len(workflow.states), len(definition["states"]))
			self.assertEqual(len(workflow.transitions), len(definition["transitions"]))
			self.assertEqual(workflow.is_active, 1)

	def test_creates_workflow_states_and_actions(self):
		self.write(workflow_definition())
		summary = sync_workflows(self.folder)
		self.assertEqual(summary["created"], [TEST_WORKFLOW])
		self.assertEqual(frappe.db.get_value("Workflow State", "VS Test Checked", "style"), "Success")
		self.assertTrue(frappe.db.exists("Workflow Action Master", "VS Test Check"))
		workflow = frappe.get_doc("Workflow", TEST_WORKFLOW)
		self.assertEqual(workflow.transitions[0].allow_self_approval, 0)

	def test_second_run_changes_nothing_and_never_duplicates(self):
		self.write(workflow_definition())
		sync_workflows(self.folder)
		modified = frappe.db.get_value("Workflow", TEST_WORKFLOW, "modified")
		summary = sync_workflows(self.folder)
		self.assertEqual(summary["unchanged"], [TEST_WORKFLOW])
		self.assertEqual(frappe.db.count("Workflow", {"workflow_name": TEST_WORKFLOW}), 1)
		self.assertEqual(frappe.db.get_value("Workflow", TEST_WORKFLOW, "modified"), modified)

	def test_a_changed_file_updates_the_workflow_in_place(self):
		self.write(workflow_definition())
		sync_workflows(self.folder)
		changed = workflow_definition()
		changed["transitions"].append(
			{
				"state": "VS Test Checked",
				"action": "VS Test Reopen",
				"next_state": "VS Test Drafted",
				"allowed": "Virtual School Head",
			}
		)
		self.write(changed)
		summary = sync_workflows(self.folder)
		self.assertEqual(summary["updated"], [TEST_WORKFLOW])
		workflow = frappe.get_doc("Workflow", TEST_WORKFLOW)
		self.assertEqual([t.action for t in workflow.transitions], ["VS Test Check", "VS Test Reopen"])
		self.assertEqual(frappe.db.count("Workflow State", {"name": ["like", "VS Test %"]}), 2)

	def test_malformed_json_names_the_file(self):
		self.write("{ not json", name="broken_flow.json")
		with self.assertRaises(WorkflowFileError) as caught:
			sync_workflows(self.folder)
		self.assertIn("broken_flow.json", str(caught.exception))

	def test_unknown_role_names_the_role_and_file(self):
		definition = workflow_definition()
		definition["transitions"][0]["allowed"] = "No Such Role"
		self.write(definition, name="bad_role.json")
		with self.assertRaises(WorkflowFileError) as caught:
			sync_workflows(self.folder)
		self.assertIn("No Such Role", str(caught.exception))
		self.assertIn("bad_role.json", str(caught.exception))
		self.assertFalse(frappe.db.exists("Workflow", TEST_WORKFLOW))

	def test_transition_to_a_state_not_in_states_is_refused(self):
		definition = workflow_definition()
		definition["transitions"][0]["next_state"] = "VS Test Nowhere"
		self.write(definition)
		with self.assertRaises(WorkflowFileError) as caught:
			sync_workflows(self.folder)
		self.assertIn("VS Test Nowhere", str(caught.exception))

	def test_unknown_doctype_is_refused(self):
		self.write(workflow_definition(document_type="No Such DocType"))
		with self.assertRaises(WorkflowFileError):
			sync_workflows(self.folder)
