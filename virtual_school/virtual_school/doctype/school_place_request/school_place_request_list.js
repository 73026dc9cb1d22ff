// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["School Place Request"] = {
	add_fields: ["workflow_state", "days_beyond_target"],
	// the child's name leads the row; the SPR number stays on the form (room for the columns at 1366 px)
	hide_name_column: true,
	has_indicator_for_draft: true,
	get_indicator(doc) {
		if (doc.workflow_state === "Placed") return [__("Placed"), "green", "workflow_state,=,Placed"];
		if (doc.workflow_state === "Withdrawn") return [__("Withdrawn"), "gray", "workflow_state,=,Withdrawn"];
		if (doc.days_beyond_target > 0) return [__("Beyond target"), "red", "days_beyond_target,>,0"];
		return [__(doc.workflow_state || "Draft"), "orange", `workflow_state,=,${doc.workflow_state || "Draft"}`];
	},
};
