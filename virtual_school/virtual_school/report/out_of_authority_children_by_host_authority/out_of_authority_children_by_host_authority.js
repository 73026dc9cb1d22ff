// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Out-of-Authority Children by Host Authority"] = {
	filters: [
		{
			fieldname: "academic_year",
			label: __("Academic Year"),
			fieldtype: "Data",
			description: __("PEPs due in this year, e.g. 2025-26"),
		},
	],
};
