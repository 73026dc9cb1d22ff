// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.listview_settings["Child"] = {
	add_fields: ["workflow_state", "current_school", "status", "out_of_authority"],
	get_indicator(doc) {
		if (doc.status === "Closed") return [__("Closed"), "gray", "status,=,Closed"];
		if (!doc.current_school) return [__("No school place"), "red", "current_school,is,not set"];
		if (doc.workflow_state === "Referred") return [__("Referred"), "blue", "workflow_state,=,Referred"];
		if (doc.workflow_state === "Closure Requested")
			return [__("Closure Requested"), "orange", "workflow_state,=,Closure Requested"];
		return [__("Active"), "green", "status,=,Active"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["System Manager", "Virtual School Head", "Virtual School Manager"])) return;
		listview.page.add_inner_button(__("Import SSDA903"), () => import_ssda903(listview));
	},
};

function import_ssda903(listview) {
	const dialog = new frappe.ui.Dialog({
		title: __("Import looked-after children (SSDA903)"),
		fields: [
			{ fieldname: "header_url", fieldtype: "Attach", label: __("Header file (CSV)"), reqd: 1 },
			{ fieldname: "episodes_url", fieldtype: "Attach", label: __("Episodes file (CSV)"), reqd: 1 },
			{ fieldname: "preview", fieldtype: "HTML" },
		],
		primary_action_label: __("Preview"),
		primary_action(values) {
			const esc = frappe.utils.escape_html;
			if (!dialog.previewed) {
				frappe.call("virtual_school.ssda903_import.preview_files", values).then(({ message: m }) => {
					const rejected = m.rejected
						.map((r) => `<li>${esc(r.file || "")} ${__("row")} ${r.row || "-"} ${esc(r.column || "")}: ${esc(r.reason)}</li>`)
						.join("");
					dialog.fields_dict.preview.$wrapper.html(
						`<p>${__("{0} to create, {1} to update, {2} unchanged, {3} rows rejected.", [
							m.create.length,
							m.update.length,
							m.unchanged.length,
							m.rejected.length,
						])}</p>${rejected ? `<ul class="text-muted small">${rejected}</ul>` : ""}`
					);
					dialog.previewed = true;
					dialog.set_primary_action(__("Import"), () =>
						frappe
							.call({ method: "virtual_school.ssda903_import.import_files", args: values, freeze: true })
							.then(({ message }) => {
								dialog.hide();
								frappe.msgprint(
									__("{0} created, {1} updated, {2} unchanged, {3} rejected.", [
										message.created.length,
										message.updated.length,
										message.unchanged.length,
										message.rejected.length,
									])
								);
								listview.refresh();
							})
					);
				});
			}
		},
	});
	dialog.show();
}
