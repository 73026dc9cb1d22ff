// The "Raise Escalation" button of the forms whose records an escalation may be about and that have no
// escalation of their own (PP Plus Claim, Exclusion): asks for the reason and opens a level-1 escalation
// through virtual_school.escalations.services.raise_escalation, which checks the user may read the record;
// the child is taken from the record on the server.
window.virtual_school_escalation = window.virtual_school_escalation || {
	add_button(frm) {
		if (frm.is_new() || !frappe.model.can_create("Escalation")) return;
		frm.add_custom_button(__("Raise Escalation"), () => {
			frappe.prompt(
				[{ fieldname: "reason", label: __("Reason"), fieldtype: "Small Text", reqd: 1 }],
				({ reason }) =>
					frappe
						.xcall("virtual_school.escalations.services.raise_escalation", {
							reference_doctype: frm.doctype,
							reference_name: frm.doc.name,
							reason,
						})
						.then((name) => frappe.set_route("Form", "Escalation", name)),
				__("Raise Escalation"),
				__("Raise")
			);
		});
	},
};
