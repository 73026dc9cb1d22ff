// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Attendance Record", {
	setup(frm) {
		frm.set_query("school", () => {
			if (!frm.doc.child) return {};
			return { query: "virtual_school.attendance.services.schools_of_child", filters: { child: frm.doc.child } };
		});
	},
});
