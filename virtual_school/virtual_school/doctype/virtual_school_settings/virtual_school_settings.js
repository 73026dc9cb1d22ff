// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Virtual School Settings", {
	refresh(frm) {
		// The reports are kept on Annual Report Run (Head and Managers only), not here: every desk role
		// reads these settings, and with them any file attached to them.
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		frm.add_custom_button(__("Annual Reports"), () => frappe.set_route("List", "Annual Report Run"));
	},
});
