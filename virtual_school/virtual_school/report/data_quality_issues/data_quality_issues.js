// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Data Quality Issues"] = {
	filters: [
		{
			fieldname: "view",
			label: __("View"),
			fieldtype: "Select",
			options: [
				{ value: "Child", label: __("By Child") },
				{ value: "Rule", label: __("By Rule") },
				{ value: "File", label: __("By File") },
			],
			default: "Child",
			reqd: 1,
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: ["", "Open", "Resolved"],
			default: "Open",
		},
		{ fieldname: "severity", label: __("Severity"), fieldtype: "Select", options: ["", "Error", "Warning"] },
		{ fieldname: "import_log", label: __("Import Log"), fieldtype: "Link", options: "Import Log" },
	],
};
