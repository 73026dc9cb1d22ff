// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("School Place Request", {
	setup(frm) {
		frm.set_query("school", "approaches", () => ({ filters: { status: ["!=", "Closed"] } }));
		frm.set_query("admitting_school", () => ({ filters: { status: ["!=", "Closed"] } }));
	},

	refresh(frm) {
		show_clocks(frm);
		if (frm.doc.reg10_required && !frm.doc.reg10_satisfied) {
			frm.set_intro(
				__(
					"This is a care placement move for a Key Stage 4 pupil: record the nominated officer's approval and the consultations (CPPCR 2010 reg 10) before requesting a place."
				),
				"orange"
			);
		}
		if (frm.is_new()) return;
		const letters = [
			["admission_request", __("Admission Request")],
			["direction_notice", __("Notice of Intention to Direct")],
			["secretary_of_state_request", __("Request to the Secretary of State")],
		];
		for (const [kind, label] of letters) {
			frm.add_custom_button(
				label,
				() =>
					frappe
						.call({
							method: "virtual_school.admissions.place_requests.generate_letter",
							args: { name: frm.doc.name, kind },
							freeze: true,
							freeze_message: __("Writing the letter…"),
						})
						.then((r) => {
							frm.reload_doc();
							if (r.message) window.open(r.message.file_url);
						}),
				__("Letters")
			);
		}
	},
});

function show_clocks(frm) {
	if (frm.is_new() || !frm.doc.date_needed) return;
	const parts = [
		__("School days without a place: {0}", [frm.doc.days_without_place || 0]),
		frm.doc.target_date ? __("target {0}", [frappe.datetime.str_to_user(frm.doc.target_date)]) : null,
	].filter(Boolean);
	const late = (frm.doc.days_beyond_target || 0) > 0;
	if (late) parts.push(__("beyond target by {0}", [frm.doc.days_beyond_target]));
	if (frm.doc.escalation_level) parts.push(__("escalation level {0}", [frm.doc.escalation_level]));
	frm.dashboard.set_headline_alert(parts.join(" · "), late ? "red" : "blue");
}
