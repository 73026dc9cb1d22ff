// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["School"] = {
	add_fields: ["status", "admissions_route"],
	get_indicator(doc) {
		if (doc.status === "Closed") return [__("Closed"), "gray", "status,=,Closed"];
		if (doc.admissions_route === "Ask the Secretary of State")
			return [__("Academy / free school"), "orange", "admissions_route,=,Ask the Secretary of State"];
		if (doc.admissions_route === "LA may direct")
			return [__("Maintained"), "blue", "admissions_route,=,LA may direct"];
		return [__("Independent / other"), "gray", "admissions_route,=,Independent / other"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		// Recorded on an Import Log (with the file, if one is uploaded); it runs in the background from there.
		listview.page.add_inner_button(__("Import from GIAS"), () => frappe.new_doc("Import Log", { import_type: "GIAS" }));
	},
};
