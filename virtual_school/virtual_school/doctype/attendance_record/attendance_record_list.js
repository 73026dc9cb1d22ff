// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["Attendance Record"] = {
	add_fields: ["attendance_percent", "possible_sessions", "sessions_attended"],
	get_indicator(doc) {
		const missed = (doc.possible_sessions || 0) - (doc.sessions_attended || 0);
		if (!doc.possible_sessions) return [__("No sessions"), "gray"];
		if (missed * 2 >= doc.possible_sessions) return [__("Severe absence"), "red"];
		if (missed * 10 >= doc.possible_sessions) return [__("Persistent absence"), "orange"];
		return [__("Attending"), "green"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		listview.page.add_inner_button(__("Import Attendance"), () => import_attendance(listview));
	},
};

function academic_year_of(date) {
	const year = date.getMonth() >= 8 ? date.getFullYear() : date.getFullYear() - 1;
	return `${year}-${String((year + 1) % 100).padStart(2, "0")}`;
}

function import_attendance(listview) {
	const esc = frappe.utils.escape_html;
	const dialog = new frappe.ui.Dialog({
		title: __("Import weekly attendance"),
		fields: [
			{
				fieldname: "file_url",
				fieldtype: "Attach",
				label: __("Attendance file (CSV)"),
				reqd: 1,
				description: __(
					"One row per pupil per week: UPN, Week Starting (the Monday), then Session Codes or Possible Sessions, Sessions Attended, Authorised Absence, Unauthorised Absence (Suspension Sessions optional)."
				),
			},
			{ fieldname: "academic_year", fieldtype: "Data", label: __("Academic Year"), reqd: 1, default: academic_year_of(new Date()) },
			{
				fieldname: "school",
				fieldtype: "Link",
				options: "School",
				label: __("School"),
				description: __("Leave empty when the file has a URN column (a file from several schools)."),
			},
			{ fieldname: "preview", fieldtype: "HTML" },
		],
		primary_action_label: __("Preview"),
		primary_action(values) {
			frappe.call("virtual_school.attendance.preview_file", values).then(({ message: m }) => {
				const rejected = m.rejected
					.map((r) => `<li>${__("Row")} ${r.row || "-"} ${esc(r.column || "")}: ${esc(r.reason)}</li>`)
					.join("");
				dialog.fields_dict.preview.$wrapper.html(
					`<p>${__("{0} weeks to add, {1} to change, {2} unchanged, {3} rows rejected.", [
						m.counts.create,
						m.counts.update,
						m.counts.unchanged,
						m.counts.rejected,
					])}</p>${rejected ? `<ul class="text-muted small">${rejected}</ul>` : ""}`
				);
				dialog.set_primary_action(__("Import"), () =>
					frappe
						.call({ method: "virtual_school.attendance.import_file", args: dialog.get_values(), freeze: true })
						.then(({ message: r }) => {
							dialog.hide();
							frappe.msgprint(
								__("{0} weeks added, {1} changed, {2} unchanged, {3} rows rejected.", [
									r.counts.create,
									r.counts.update,
									r.counts.unchanged,
									r.counts.rejected,
								])
							);
							listview.refresh();
						})
				);
			});
		},
	});
	dialog.show();
}
