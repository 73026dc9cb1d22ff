// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["PP Plus Impact Overdue"] = {
	filters: [{ fieldname: "funding_year", label: __("Funding Year"), fieldtype: "Link", options: "PP Plus Funding Year" }],
};
