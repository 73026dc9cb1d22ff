// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/system_owned.js" %}
{% include "virtual_school/public/js/next_step.js" %}

frappe.ui.form.on("PP Plus Impact Report", {
	refresh(frm) {
		virtual_school_system_owned.lock(frm);
		virtual_school_next_step.show(frm);
	},
});
