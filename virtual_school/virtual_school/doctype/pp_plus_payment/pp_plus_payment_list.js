// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

// The payment run (issue #21): one payment per school for all its approved claims, in one action
// (virtual_school/pp_plus/payments.py).
frappe.listview_settings["PP Plus Payment"] = {
	onload(listview) {
		if (!frappe.model.can_create("PP Plus Payment")) return;
		listview.page.add_inner_button(__("Payment Run"), () => open_payment_run(listview));
	},
};

function open_payment_run(listview) {
	const escape = frappe.utils.escape_html;
	const dialog = new frappe.ui.Dialog({
		title: __("Payment Run"),
		size: "large",
		fields: [
			{
				fieldname: "funding_year",
				fieldtype: "Link",
				options: "PP Plus Funding Year",
				label: __("Funding Year"),
				description: __("Empty: the current funding year."),
				change: () => show_preview(),
			},
			{
				fieldname: "payment_date",
				fieldtype: "Date",
				label: __("Payment Date"),
				reqd: 1,
				default: frappe.datetime.get_today(),
			},
			{ fieldname: "column_break", fieldtype: "Column Break" },
			{
				fieldname: "payment_reference",
				fieldtype: "Data",
				label: __("Payment Reference"),
				reqd: 1,
				description: __("The BACS or ledger batch. Each payment's reference is this, a slash and the school's URN."),
			},
			{
				fieldname: "submit",
				fieldtype: "Check",
				label: __("Submit the payments now"),
				description: __("Marks the claims Paid and writes each school's remittance advice. Leave it unticked to check the draft payments first."),
			},
			{ fieldname: "section_preview", fieldtype: "Section Break" },
			{ fieldname: "preview", fieldtype: "HTML" },
		],
		primary_action_label: __("Create Payments"),
		primary_action(values) {
			frappe
				.call({
					method: "virtual_school.pp_plus.payments.payment_run",
					type: "POST",
					args: {
						payment_date: values.payment_date,
						payment_reference: values.payment_reference,
						funding_year: values.funding_year || null,
						submit: values.submit ? 1 : 0,
					},
					freeze: true,
					freeze_message: __("Creating the payments…"),
				})
				.then(({ message: done }) => {
					if (!done) return;
					dialog.hide();
					const counts = [done.payments.length, done.claims, format_currency(done.total, "GBP")];
					const message = done.submitted
						? __("Payments submitted: {0} (claims: {1}, {2}). The claims are Paid and each school's remittance advice is attached.", counts)
						: __("Draft payments created: {0} (claims: {1}, {2}). Check them, then submit them: select them here, Actions, Submit.", counts);
					frappe.show_alert({ message, indicator: "green" }, 10);
					listview.refresh();
				});
		},
	});

	function show_preview() {
		const wrapper = dialog.fields_dict.preview.$wrapper;
		wrapper.html(`<p class="text-muted">${escape(__("Finding approved claims…"))}</p>`);
		frappe
			.xcall("virtual_school.pp_plus.payments.payment_run_preview", {
				funding_year: dialog.get_value("funding_year") || null,
			})
			.then((found) => {
				const parts = [];
				if (!found.schools.length) {
					parts.push(
						`<p>${escape(__("No approved claims are waiting for payment in {0}.", [found.funding_year || ""]))}</p>`
					);
				} else {
					parts.push(
						`<p>${escape(
							__("Schools: {0}; claims: {1}; {2} in {3}.", [
								found.schools.length,
								found.claims,
								format_currency(found.total, "GBP"),
								found.funding_year,
							])
						)}</p>`
					);
					const rows = found.schools.map(
						(entry) =>
							`<tr><td>${escape(entry.school_name)} (${escape(entry.school)})</td>` +
							`<td class="text-right">${escape(String(entry.claims.length))}</td>` +
							`<td class="text-right">${escape(format_currency(entry.total, "GBP"))}</td></tr>`
					);
					parts.push(
						`<table class="table table-bordered table-condensed payment-run-preview"><thead><tr>` +
							`<th>${escape(__("School"))}</th><th class="text-right">${escape(__("Claims"))}</th>` +
							`<th class="text-right">${escape(__("Amount"))}</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
					);
				}
				if (found.on_drafts.length) {
					parts.push(
						`<p class="text-muted">${escape(
							__("Left out: claims already on draft payments {0}. Submit or delete those first.", [
								found.on_drafts.join(", "),
							])
						)}</p>`
					);
				}
				wrapper.html(parts.join(""));
				dialog.get_primary_btn().prop("disabled", !found.schools.length);
			});
	}

	dialog.show();
	show_preview();
}
