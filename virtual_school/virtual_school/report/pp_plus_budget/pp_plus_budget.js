// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["PP Plus Budget"] = {
	filters: [
		{
			fieldname: "funding_year",
			label: __("Funding Year"),
			fieldtype: "Link",
			options: "PP Plus Funding Year",
			reqd: 1,
			default: frappe.defaults.get_default("current_funding_year"),
		},
		{ fieldname: "group_by", label: __("Group By"), fieldtype: "Select", options: "Child\nSchool", default: "Child" },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School" },
	],
	onload(report) {
		if (!report.get_filter_value("funding_year")) {
			frappe.db.get_single_value("Virtual School Settings", "current_funding_year").then((year) => {
				if (year) report.set_filter_value("funding_year", year);
			});
		}
	},
};
