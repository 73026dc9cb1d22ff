// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

{% include "virtual_school/public/js/next_step.js" %}

frappe.ui.form.on("PP Plus Payment", {
	setup(frm) {
		frm.set_query("claim", "claims", () => ({
			filters: {
				workflow_state: "Approved",
				school: frm.doc.school || "",
				funding_year: frm.doc.funding_year || "",
				payment: ["is", "not set"],
			},
		}));
	},
	refresh(frm) {
		offer_add_all_claims(frm);
	},
	// issue #21: the button appears as soon as a school is chosen, on a new form too (it used to wait for a
	// refresh, i.e. a failed save)
	school(frm) {
		offer_add_all_claims(frm);
	},
	funding_year(frm) {
		offer_add_all_claims(frm);
	},
	payment_reference(frm) {
		offer_add_all_claims(frm);
	},
});

function next_step(frm) {
	if (!frm.doc.school) return __("Choose the school to pay, then Add All Approved Claims.");
	if (!(frm.doc.claims || []).some((row) => row.claim)) return __("Next step: Add All Approved Claims, then save.");
	if (!frm.doc.payment_reference) return __("Next step: enter the payment reference, then save.");
	if (frm.is_new() || frm.doc.__unsaved) return __("Next step: save.");
	return __("Next step: check the claims and the payment reference, then Submit to mark the claims Paid.");
}

function offer_add_all_claims(frm) {
	const label = __("Add All Approved Claims");
	frm.remove_custom_button(label);
	if (frm.doc.docstatus !== 0) return;
	virtual_school_next_step.say(frm, next_step(frm));
	if (!frm.doc.school) return;
	frm.add_custom_button(label, () =>
		frappe
			.xcall("virtual_school.pp_plus.payments.payable_claims", {
				school: frm.doc.school,
				funding_year: frm.doc.funding_year || null,
			})
			.then(async ({ funding_year, claims }) => {
				if (!frm.doc.funding_year && funding_year) await frm.set_value("funding_year", funding_year);
				// the table is mandatory, so a new form starts with an empty row: keep only rows with a claim
				const present = (frm.doc.claims || []).map((row) => row.claim).filter(Boolean);
				const added = claims.filter((name) => !present.includes(name));
				frm.clear_table("claims");
				[...present, ...added].forEach((name) => frm.add_child("claims", { claim: name }));
				frm.refresh_field("claims");
				virtual_school_next_step.say(frm, next_step(frm));
				if (!added.length) {
					frappe.show_alert({ message: __("No approved claims are waiting for this school."), indicator: "orange" });
				} else if (frm.doc.payment_reference) {
					frm.save();
				} else {
					frm.scroll_to_field("payment_reference");
				}
			})
	);
}
