// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Retention Review"] = {
	filters: [
		{
			fieldname: "record_kind",
			label: __("Record Kind"),
			fieldtype: "Select",
			options: ["", "Child Case Record", "School Contact", "Import Source File", "Access Log"],
		},
	],
};
