// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["PEPs Due"] = {
	filters: [
		{ fieldname: "on_date", label: __("Report Date"), fieldtype: "Date", default: frappe.datetime.get_today() },
	],
};
