// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Care Placement Move", {
	refresh(frm) {
		if (frm.doc.reg10_warning) frm.set_intro(frm.doc.reg10_warning, "orange");
	},
});
