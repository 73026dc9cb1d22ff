// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Children Missing Education Risk"] = {
	filters: [
		{
			fieldname: "school_days",
			label: __("No Attendance For (school days)"),
			fieldtype: "Int",
			description: __("Empty: the setting in Virtual School Settings"),
		},
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School" },
	],
};
