// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Cohort Overview"] = {
	filters: [
		{
			fieldname: "academic_year",
			label: __("Academic Year"),
			fieldtype: "Data",
			description: __("e.g. 2025-26; empty: this year (attendance, suspensions and exclusions)"),
		},
	],
};
