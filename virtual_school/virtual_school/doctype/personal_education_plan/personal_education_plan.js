// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/system_owned.js" %}
{% include "virtual_school/public/js/next_step.js" %}

frappe.ui.form.on("Personal Education Plan", {
	refresh(frm) {
		frm.dashboard.clear_headline(); // the messages below are appended: one set per refresh
		virtual_school_system_owned.lock(frm);
		virtual_school_next_step.show(frm);
		virtual_school_target_areas.offer(frm);
		if (frm.doc.due_date && frm.doc.workflow_state !== "Approved") {
			const late = frappe.datetime.get_diff(frappe.datetime.get_today(), frm.doc.due_date) > 0;
			const due = __("Due {0}", [frappe.datetime.str_to_user(frm.doc.due_date)]);
			frm.dashboard.set_headline_alert(
				frm.doc.due_rule ? `${due}: ${frappe.utils.escape_html(__(frm.doc.due_rule))}` : due,
				late ? "red" : "blue"
			);
		}
		if (!frm.is_new()) {
			frm.add_custom_button(__("Export to Word"), () =>
				frappe
					.call({ method: "virtual_school.peps.services.export_pep", args: { name: frm.doc.name }, freeze: true })
					.then((r) => {
						frm.reload_doc();
						if (r.message) window.open(r.message.file_url);
					})
			);
		}
	},
});

// Targets are set in the areas of the PEP's variant (the server checks them on submission); a PEP not yet
// saved has no variant and is offered every area.
const virtual_school_target_areas = {
	by_variant: null,
	load() {
		if (!this.by_variant) {
			this.by_variant = frappe
				.call({ method: "virtual_school.peps.variants.target_areas" })
				.then((r) => r.message || {});
		}
		return this.by_variant;
	},
	offer(frm) {
		this.load().then((by_variant) => {
			const areas = by_variant[frm.doc.pep_variant || ""] || by_variant[""];
			if (areas) frm.fields_dict.targets.grid.update_docfield_property("area", "options", areas);
		});
	},
};

// Early years: a row's goal is one of its area's early learning goals (the server checks it too).
const virtual_school_goals = {
	by_area: null,
	load() {
		if (!this.by_area) {
			this.by_area = frappe
				.call({ method: "virtual_school.peps.variants.early_learning_goals" })
				.then((r) => r.message || {});
		}
		return this.by_area;
	},
	offer(frm, cdn) {
		const row = locals["PEP Early Learning Goal"][cdn];
		if (!row || !row.area) return;
		this.load().then((by_area) => {
			const goals = by_area[row.area] || [];
			frm.set_df_property("early_learning_goals", "options", ["", ...goals], frm.docname, "goal", cdn);
			if (row.goal && !goals.includes(row.goal)) frappe.model.set_value("PEP Early Learning Goal", cdn, "goal", "");
		});
	},
};

frappe.ui.form.on("PEP Early Learning Goal", {
	area(frm, cdt, cdn) {
		virtual_school_goals.offer(frm, cdn);
	},
	form_render(frm, cdt, cdn) {
		virtual_school_goals.offer(frm, cdn);
	},
});
