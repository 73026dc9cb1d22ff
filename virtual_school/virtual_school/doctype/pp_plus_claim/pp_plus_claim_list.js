// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["PP Plus Claim"] = {
	add_fields: ["workflow_state"],
	has_indicator_for_draft: true,
	get_indicator(doc) {
		const colours = {
			Draft: "gray",
			Submitted: "blue",
			"Under Review": "blue",
			Returned: "orange",
			Approved: "green",
			Rejected: "red",
			Paid: "darkgrey",
		};
		const state = doc.workflow_state || "Draft";
		return [__(state), colours[state] || "gray", `workflow_state,=,${state}`];
	},
};
