// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

// The Virtual School Head fills the batch from the Retention Review, removes what should stay, and confirms.
// The server checks the role, legal holds and that every record is still past its retention period.

frappe.ui.form.on("Disposal Batch", {
	refresh(frm) {
		if (frm.is_new() || !frappe.user.has_role("Virtual School Head")) return;
		frm.add_custom_button(__("Add Records Past Retention"), () => {
			frappe.call({
				method: "virtual_school.governance.disposal.add_records_past_retention",
				args: { batch: frm.doc.name },
				freeze: true,
				callback: (r) => {
					frappe.show_alert({ message: __("{0} record(s) added", [r.message || 0]), indicator: "green" });
					frm.reload_doc();
				},
			});
		});
		if (!(frm.doc.items || []).length) return;
		frm.add_custom_button(__("Dispose"), () => {
			frappe.confirm(
				__(
					"Erase the {0} record(s) in this batch and every record, file, version, comment and task about them? This cannot be undone. An anonymous Disposal Certificate will remain.",
					[frm.doc.items.length]
				),
				() => {
					frappe.call({
						method: "virtual_school.governance.disposal.dispose",
						args: { batch: frm.doc.name },
						freeze: true,
						freeze_message: __("Disposing..."),
						callback: (r) => frappe.set_route("Form", "Disposal Certificate", r.message),
					});
				}
			);
		}).addClass("btn-danger");
	},
});
