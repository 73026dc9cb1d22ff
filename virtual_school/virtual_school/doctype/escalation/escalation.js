// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/next_step.js" %}

frappe.ui.form.on("Escalation", {
	refresh(frm) {
		// which action the holder may take next, and what a blocked one still needs (shared/next_step.py)
		virtual_school_next_step.show(frm);
	},
});
