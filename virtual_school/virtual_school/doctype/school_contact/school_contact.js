// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/system_owned.js" %}

frappe.ui.form.on("School Contact", {
	refresh(frm) {
		virtual_school_system_owned.lock(frm);
		const roles = ["Virtual School Head", "Virtual School Manager", "System Manager"];
		if (frm.is_new() || !frm.doc.is_active || !frappe.user.has_role(roles)) return;
		frm.add_custom_button(frm.doc.user ? __("Re-send Portal Invite") : __("Invite to Portal"), () => {
			frappe.confirm(
				__("Give {0} a school portal account and email them a link to set their password?", [
					frm.doc.full_name,
				]),
				() =>
					frm.call("invite_to_portal").then((r) => {
						if (r.message) {
							frappe.show_alert({ message: r.message.message, indicator: "green" });
							frm.reload_doc();
						}
					})
			);
		});
	},
});
