// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/raise_escalation.js" %}

frappe.ui.form.on("Exclusion", {
	refresh(frm) {
		virtual_school_escalation.add_button(frm);
	},
});
