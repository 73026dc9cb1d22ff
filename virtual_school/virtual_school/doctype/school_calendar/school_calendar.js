// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("School Calendar", {
	refresh(frm) {
		frm.set_intro(
			frm.is_new()
				? __("Enter the academic year as 2025-26, then its terms and closure days.")
				: __("{0} school days this year.", [frm.doc.total_school_days || 0]),
			"blue"
		);
	},
});
