// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/system_owned.js" %}

frappe.ui.form.on("Personal Education Plan", {
	refresh(frm) {
		virtual_school_system_owned.lock(frm);
		if (frm.doc.due_date && frm.doc.workflow_state !== "Approved") {
			const late = frappe.datetime.get_diff(frappe.datetime.get_today(), frm.doc.due_date) > 0;
			const due = __("Due {0}", [frappe.datetime.str_to_user(frm.doc.due_date)]);
			frm.dashboard.set_headline_alert(
				frm.doc.due_rule ? `${due}: ${frappe.utils.escape_html(__(frm.doc.due_rule))}` : due,
				late ? "red" : "blue"
			);
		}
		if (!frm.is_new()) {
			frm.add_custom_button(__("Export to Word"), () =>
				frappe
					.call({ method: "virtual_school.peps.services.export_pep", args: { name: frm.doc.name }, freeze: true })
					.then((r) => {
						frm.reload_doc();
						if (r.message) window.open(r.message.file_url);
					})
			);
		}
	},
});
