// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.query_reports["Caseload by Caseworker"] = {
	filters: [],
};
