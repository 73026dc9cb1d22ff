// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Designated Teacher Check"] = {
	filters: [
		{
			fieldname: "on_date",
			label: __("On Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{ fieldname: "problems_only", label: __("Problems Only"), fieldtype: "Check" },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		// is_problem: worked out on the server (domain.designated_teacher), not retyped here
		if (column.fieldname === "status" && data && data.is_problem) {
			value = `<span style="color: var(--red-600); font-weight: 600">${value}</span>`;
		}
		return value;
	},
};
