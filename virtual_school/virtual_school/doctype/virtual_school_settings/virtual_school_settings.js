// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Virtual School Settings", {
	refresh(frm) {
		frm.add_custom_button(__("Annual Report"), () => {
			frappe.prompt(
				[{ fieldname: "academic_year", fieldtype: "Data", label: __("Academic Year"), description: __("e.g. 2025-26") }],
				(values) =>
					frappe
						.call({
							method: "virtual_school.annual_report.generate",
							args: values,
							freeze: true,
							freeze_message: __("Writing the annual report…"),
						})
						.then((r) => r.message && window.open(r.message.file_url)),
				__("Virtual School Head's Annual Report"),
				__("Write")
			);
		});
	},
});
