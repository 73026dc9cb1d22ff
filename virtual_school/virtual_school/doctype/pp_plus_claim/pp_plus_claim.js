// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/system_owned.js" %}
{% include "virtual_school/public/js/raise_escalation.js" %}
{% include "virtual_school/public/js/next_step.js" %}

frappe.ui.form.on("PP Plus Claim", {
	setup(frm) {
		frm.set_query("child", () => ({ filters: { cohort: "Looked After", status: "Active" } }));
		frm.set_query("personal_education_plan", () => ({ filters: { child: frm.doc.child || "" } }));
	},
	refresh(frm) {
		virtual_school_system_owned.lock(frm);
		virtual_school_escalation.add_button(frm);
		virtual_school_next_step.show(frm);
		show_budget(frm);
	},
	child(frm) {
		show_budget(frm);
	},
	funding_year(frm) {
		show_budget(frm);
	},
});

function show_budget(frm) {
	if (!frm.doc.child || !frm.doc.funding_year) return;
	frappe
		.call("virtual_school.pp_plus.budget.get_child_budget", { child: frm.doc.child, funding_year: frm.doc.funding_year })
		.then(({ message }) => {
			if (!message) return;
			const short = message.remaining < (frm.doc.amount || 0);
			frm.dashboard.set_headline_alert(
				__("PP+ for {0}: {1}", [frappe.utils.escape_html(frm.doc.child_name || frm.doc.child), message.message]),
				short ? "red" : "blue"
			);
		});
}
