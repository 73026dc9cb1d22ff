// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Escalations by Level and Age"] = {
	filters: [
		{
			fieldname: "reference_doctype",
			label: __("Record Type"),
			fieldtype: "Select",
			// the records an escalation may be about (escalations/vocabulary.py ESCALATABLE; the server refuses others)
			options: [
				"",
				"Child",
				"School Place Request",
				"Personal Education Plan",
				"PP Plus Claim",
				"Exclusion",
				"PP Plus Impact Report",
			],
			description: __("Only escalations raised on this kind of record"),
		},
	],
};
