// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["School"] = {
	add_fields: ["status", "admissions_route"],
	get_indicator(doc) {
		if (doc.status === "Closed") return [__("Closed"), "gray", "status,=,Closed"];
		if (doc.admissions_route === "Ask the Secretary of State")
			return [__("Academy / free school"), "orange", "admissions_route,=,Ask the Secretary of State"];
		if (doc.admissions_route === "LA may direct")
			return [__("Maintained"), "blue", "admissions_route,=,LA may direct"];
		return [__("Independent / other"), "gray", "admissions_route,=,Independent / other"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		listview.page.add_inner_button(__("Import from GIAS"), () => {
			const dialog = new frappe.ui.Dialog({
				title: __("Import schools from GIAS"),
				fields: [
					{
						fieldtype: "HTML",
						options: `<p class="text-muted">${__(
							"Upload the establishment CSV from Get Information About Schools, or leave empty to download it from the URL in Virtual School Settings. Schools are matched by URN: new ones are added, changed ones updated."
						)}</p>`,
					},
					{ fieldname: "file_url", fieldtype: "Attach", label: __("GIAS CSV (optional)") },
				],
				primary_action_label: __("Import"),
				primary_action(values) {
					frappe
						.call("virtual_school.gias_import.start_import", { file_url: values.file_url })
						.then(() => {
							dialog.hide();
							frappe.show_alert({
								message: __("Import started; you will be notified when it finishes."),
								indicator: "blue",
							});
						});
				},
			});
			dialog.show();
		});
		frappe.realtime.on("virtual_school_gias_import", (summary) => {
			const rejected = (summary.rejected || [])
				.slice(0, 50)
				.map((row) => `<li>${__("Row")} ${row.row}: ${frappe.utils.escape_html(row.column)}: ${frappe.utils.escape_html(row.reason)}</li>`)
				.join("");
			frappe.msgprint({
				title: __("GIAS import finished"),
				message: `<p>${__("{0} inserted, {1} updated, {2} unchanged, {3} rejected.", [
					summary.inserted,
					summary.updated,
					summary.unchanged,
					summary.rejected.length,
				])}</p>${rejected ? `<ul>${rejected}</ul>` : ""}`,
			});
			listview.refresh();
		});
	},
};
