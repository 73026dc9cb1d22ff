// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["PEP Compliance"] = {
	filters: [
		{ fieldname: "academic_year", label: __("Academic Year"), fieldtype: "Data", description: __("e.g. 2025-26") },
		{ fieldname: "group_by", label: __("Group By"), fieldtype: "Select", options: "School\nCaseworker", default: "School" },
	],
};
