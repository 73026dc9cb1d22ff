frappe.ready(() => {
	const button = document.getElementById("request-pp-plus");
	if (!button) return;
	button.addEventListener("click", () => {
		const field = (id) => document.getElementById(id).value;
		if (!field("amount") || !field("description").trim()) {
			frappe.msgprint(__("Enter the amount and what the funding is for."));
			return;
		}
		frappe.call({
			method: "virtual_school.portal.actions.request_pp_plus",
			type: "POST",
			args: {
				target_row: field("target_row"),
				amount: field("amount"),
				category: field("category"),
				description: field("description"),
			},
			freeze: true,
			callback: (r) => {
				if (!r.exc) window.location.reload();
			},
		});
	});
});
