// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Education Placement", {
	setup(frm) {
		frm.set_query("school", () => ({ filters: { status: ["!=", "Closed"] } }));
	},
	refresh(frm) {
		if (!frm.is_new() && !frm.doc.end_date) {
			frm.add_custom_button(__("End Placement"), () => {
				frappe.prompt(
					[
						{ fieldname: "end_date", fieldtype: "Date", label: __("Last Day on Roll"), reqd: 1, default: frappe.datetime.get_today() },
						{
							fieldname: "reason_for_leaving",
							fieldtype: "Select",
							label: __("Reason for Leaving"),
							options: frm.fields_dict.reason_for_leaving.df.options,
							reqd: 1,
						},
					],
					(values) => {
						frm.set_value(values);
						frm.save();
					},
					__("End Placement"),
					__("Save")
				);
			});
		}
	},
});
