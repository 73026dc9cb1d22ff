// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["In-Year Admissions by School"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("Asked From"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -12),
			reqd: 1,
		},
		{ fieldname: "to_date", label: __("Asked To"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{
			fieldname: "admissions_route",
			label: __("Admissions Route"),
			fieldtype: "Select",
			options: "\nLA may direct\nAsk the Secretary of State\nIndependent / other",
		},
		{ fieldname: "la", label: __("Local Authority"), fieldtype: "Link", options: "Local Authority" },
	],
};
