// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["Child"] = {
	add_fields: ["workflow_state", "current_school", "status", "out_of_authority"],
	get_indicator(doc) {
		if (doc.status === "Closed") return [__("Closed"), "gray", "status,=,Closed"];
		if (!doc.current_school) return [__("No school place"), "red", "current_school,is,not set"];
		if (doc.workflow_state === "Referred") return [__("Referred"), "blue", "workflow_state,=,Referred"];
		if (doc.workflow_state === "Closure Requested")
			return [__("Closure Requested"), "orange", "workflow_state,=,Closure Requested"];
		return [__("Active"), "green", "status,=,Active"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		// The files are kept on an Import Log (Head and Managers only): attach, Preview, Import there.
		listview.page.add_inner_button(__("Import SSDA903"), () => frappe.new_doc("Import Log", { import_type: "SSDA903" }));
	},
};
