// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["Attendance Record"] = {
	add_fields: ["attendance_percent", "possible_sessions", "sessions_attended"],
	get_indicator(doc) {
		const missed = (doc.possible_sessions || 0) - (doc.sessions_attended || 0);
		if (!doc.possible_sessions) return [__("No sessions"), "gray"];
		if (missed * 2 >= doc.possible_sessions) return [__("Severe absence"), "red"];
		if (missed * 10 >= doc.possible_sessions) return [__("Persistent absence"), "orange"];
		return [__("Attending"), "green"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		// The file is kept on an Import Log (Head and Managers only): attach, Preview, Import there.
		listview.page.add_inner_button(__("Import Attendance"), () => frappe.new_doc("Import Log", { import_type: "Attendance" }));
	},
};
