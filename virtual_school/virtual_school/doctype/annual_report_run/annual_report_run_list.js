// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["Annual Report Run"] = {
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		listview.page.add_inner_button(__("Write Annual Report"), () => {
			frappe.prompt(
				[{ fieldname: "academic_year", fieldtype: "Data", label: __("Academic Year"), description: __("e.g. 2025-26") }],
				(values) =>
					frappe
						.call({
							method: "virtual_school.reports.annual_report.generate",
							args: values,
							freeze: true,
							freeze_message: __("Writing the annual report…"),
						})
						.then((r) => {
							if (!r.message) return;
							window.open(r.message.file_url);
							frappe.set_route("Form", "Annual Report Run", r.message.annual_report_run);
						}),
				__("Virtual School Head's Annual Report"),
				__("Write")
			);
		});
	},
};
