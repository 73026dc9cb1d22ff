// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Who Viewed This Child"] = {
	filters: [
		{ fieldname: "child", label: __("Child"), fieldtype: "Link", options: "Child", reqd: 1 },
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
	],
};
