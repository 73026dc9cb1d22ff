frappe.listview_settings["Data Quality Issue"] = {
	add_fields: ["status", "severity"],
	get_indicator(doc) {
		if (doc.status === "Resolved") return [__("Resolved"), "green", "status,=,Resolved"];
		return doc.severity === "Error"
			? [__("Open: not written"), "red", "status,=,Open|severity,=,Error"]
			: [__("Open: check"), "orange", "status,=,Open|severity,=,Warning"];
	},
};
