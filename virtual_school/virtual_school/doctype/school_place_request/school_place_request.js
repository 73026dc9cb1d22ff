// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/next_step.js" %}

frappe.ui.form.on("School Place Request", {
	setup(frm) {
		frm.set_query("school", "approaches", () => ({ filters: { status: ["!=", "Closed"] } }));
		frm.set_query("admitting_school", () => ({ filters: { status: ["!=", "Closed"] } }));
	},

	refresh(frm) {
		frm.dashboard.clear_headline(); // the messages below are appended: one set per refresh
		show_clocks(frm);
		show_route(frm);
		if (frm.doc.reg10_warning) {
			// a warning, never a block (CPPCR 2010 reg 10): the text comes from the server's rule
			frm.set_intro(frm.doc.reg10_warning, "orange");
		}
		virtual_school_next_step.show(frm);
		if (frm.is_new()) return;
		// the server says which letters the request's state allows (admissions.place_requests.LETTER_STATES)
		frappe
			.call({
				method: "virtual_school.admissions.place_requests.available_letters",
				args: { name: frm.doc.name },
			})
			.then((r) => {
				for (const { kind, label } of r.message || []) {
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
								.then((result) => {
									frm.reload_doc();
									if (result.message) window.open(result.message.file_url);
								}),
						__("Letters")
					);
				}
			});
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

// The route is derived on the server (admissions.routes, STATUTORY.md section 11): show it and why.
function show_route(frm) {
	if (frm.is_new() || !frm.doc.admission_route) return;
	frm.dashboard.add_comment(
		__("Route: {0}. {1}", [
			frappe.utils.escape_html(__(frm.doc.admission_route)),
			frappe.utils.escape_html(frm.doc.route_reason || ""),
		]),
		frm.doc.direction_possible ? "blue" : "yellow",
		true
	);
}
