// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Children Without a School Place"] = {
	filters: [
		{
			fieldname: "cohort",
			label: __("Cohort"),
			fieldtype: "Select",
			options: "\nLooked After\nPreviously Looked After\nChild with a Social Worker\nKinship Care",
			default: "Looked After",
		},
		{ fieldname: "caseworker", label: __("Caseworker"), fieldtype: "Link", options: "User" },
		{ fieldname: "out_of_authority", label: __("Out of Authority Only"), fieldtype: "Check" },
		{ fieldname: "min_days", label: __("At Least (School Days)"), fieldtype: "Int" },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		// over_place_target: worked out on the server from Virtual School Settings (place target)
		if (column.fieldname === "days_without_place" && data && data.over_place_target) {
			value = `<span style="color: var(--red-600); font-weight: 600">${value}</span>`;
		}
		return value;
	},
};
