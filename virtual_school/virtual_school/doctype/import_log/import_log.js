// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

// One import run: attach the source files, Save, Preview, then Import. The files stay on this record,
// which only the Virtual School Head and Managers can open.

const IMPORT_ROLES = ["System Manager", "Virtual School Head", "Virtual School Manager"];
const INPUT_FIELDS = ["import_type", "header_file", "episodes_file", "reviews_file", "source_file", "academic_year", "school"];

function academic_year_of(date) {
	const year = date.getMonth() >= 8 ? date.getFullYear() : date.getFullYear() - 1;
	return `${year}-${String((year + 1) % 100).padStart(2, "0")}`;
}

function counts_of(m) {
	// attendance answers with counts; SSDA903 with lists; both as four numbers here
	if (m.counts) return [m.counts.create, m.counts.update, m.counts.unchanged, m.counts.rejected];
	const n = (value) => (Array.isArray(value) ? value.length : value || 0);
	return [n(m.create ?? m.created), n(m.update ?? m.updated), n(m.unchanged), n(m.rejected)];
}

function rejected_html(m) {
	const esc = frappe.utils.escape_html;
	const rows = (m.rejected || [])
		.slice(0, 200)
		.map((r) => `<li>${esc(r.file || "")} ${__("Row")} ${r.row || "-"} ${esc(r.column || "")}: ${esc(r.reason)}</li>`)
		.join("");
	return rows ? `<ul class="text-muted small">${rows}</ul>` : "";
}

function summary_html(m, fallback) {
	// SSDA903 answers with a sentence ("2,675 children: ... data-quality issues ..."); the others with counts
	const esc = frappe.utils.escape_html;
	const issues = m.issues && !Array.isArray(m.issues) && m.issues.open
		? `<p><a href="/app/data-quality-issue?status=Open">${__("Open the Data Quality Issues")}</a></p>`
		: "";
	return `<p>${esc(m.summary || fallback)}</p>${issues}`;
}

frappe.ui.form.on("Import Log", {
	onload(frm) {
		if (frm.is_new() && frm.doc.import_type === "Attendance" && !frm.doc.academic_year) {
			frm.set_value("academic_year", academic_year_of(new Date()));
		}
	},

	import_type(frm) {
		if (frm.doc.import_type === "Attendance" && !frm.doc.academic_year) {
			frm.set_value("academic_year", academic_year_of(new Date()));
		}
	},

	refresh(frm) {
		const draft = frm.doc.status === "Draft";
		INPUT_FIELDS.forEach((field) => frm.set_df_property(field, "read_only", draft ? 0 : 1));
		if (frm.is_new() || !draft || !frappe.user.has_role(IMPORT_ROLES)) return;

		if (frm.doc.import_type !== "GIAS") {
			frm.add_custom_button(__("Preview"), () => {
				frappe
					.call({ method: "virtual_school.virtual_school.doctype.import_log.import_log.preview", args: { name: frm.doc.name }, freeze: true })
					.then(({ message: m }) => {
						const [create, update, unchanged, rejected] = counts_of(m);
						frappe.msgprint({
							title: __("Preview"),
							message: `${summary_html(
								m,
								__("{0} to create, {1} to update, {2} unchanged, {3} rows rejected.", [create, update, unchanged, rejected])
							)}${rejected_html(m)}`,
						});
					});
			});
		}
		// A custom button, not the primary action: Ctrl+S triggers the primary action.
		const button = frm.add_custom_button(__("Import"), () => {
			if (frm.is_dirty()) {
				frappe.msgprint(__("Save first."));
				return;
			}
			frappe.confirm(__("Run this import now? It runs once; a later import needs a new Import Log."), () =>
				frappe
					.call({
						method: "virtual_school.virtual_school.doctype.import_log.import_log.run",
						args: { name: frm.doc.name },
						freeze: true,
						freeze_message: __("Importing…"),
					})
					.then(({ message: m }) => {
						frm.reload_doc();
						if (m.queued) {
							frappe.show_alert({ message: __("Import started; you will be notified when it finishes."), indicator: "blue" });
							return;
						}
						const [create, update, unchanged, rejected] = counts_of(m);
						frappe.msgprint({
							title: __("Imported"),
							message: `${summary_html(
								m,
								__("{0} created, {1} updated, {2} unchanged, {3} rejected.", [create, update, unchanged, rejected])
							)}${rejected_html(m)}`,
						});
					})
			);
		});
		button.removeClass("btn-default").addClass("btn-primary");
	},

	setup(frm) {
		frappe.realtime.on("virtual_school_gias_import", (summary) => {
			if (summary.import_log !== frm.doc.name) return;
			frm.reload_doc();
			frappe.msgprint({
				title: __("GIAS import finished"),
				message: `<p>${__("{0} inserted, {1} updated, {2} unchanged, {3} rejected.", [
					summary.inserted,
					summary.updated,
					summary.unchanged,
					summary.rejected.length,
				])}</p>${rejected_html(summary)}`,
			});
		});
	},
});
