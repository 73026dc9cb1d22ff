// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

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
		if (frm.doc.docstatus === 0 && frm.doc.school && frm.doc.funding_year) {
			frm.add_custom_button(__("Add All Approved Claims"), () => {
				frappe.db
					.get_list("PP Plus Claim", {
						filters: {
							workflow_state: "Approved",
							school: frm.doc.school,
							funding_year: frm.doc.funding_year,
							payment: ["is", "not set"],
						},
						fields: ["name"],
						limit: 500,
					})
					.then((claims) => {
						const present = new Set((frm.doc.claims || []).map((row) => row.claim));
						claims.filter((c) => !present.has(c.name)).forEach((c) => frm.add_child("claims", { claim: c.name }));
						frm.refresh_field("claims");
						frm.save();
					});
			});
		}
	},
});
