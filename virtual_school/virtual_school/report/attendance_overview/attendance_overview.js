// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Attendance Overview"] = {
	filters: [
		{ fieldname: "academic_year", label: __("Academic Year"), fieldtype: "Data", description: __("e.g. 2026-27; empty: this year") },
		{ fieldname: "term", label: __("Term"), fieldtype: "Select", options: ["", "Autumn", "Spring", "Summer"] },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Cohort", "School", "Year Group", "Caseworker"],
			default: "Cohort",
		},
		{
			fieldname: "cohort",
			label: __("Cohort"),
			fieldtype: "Select",
			options: ["", "Looked After", "Previously Looked After", "Child with a Social Worker", "Kinship Care"],
		},
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School" },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (data && column.fieldname === "attendance_percent" && data.attendance_percent !== null) {
			if (data.attendance_percent <= 50) return `<span class="text-danger">${value}</span>`;
			if (data.attendance_percent <= 90) return `<span class="text-warning">${value}</span>`;
		}
		return value;
	},
};
