frappe.ready(() => {
	const button = document.getElementById("notify-exclusion");
	if (!button) return;
	const field = (id) => document.getElementById(id);
	const kind = field("exclusion-type");
	const showDays = () => {
		field("exclusion-days-group").hidden = kind.value !== kind.dataset.suspension;
	};
	kind.addEventListener("change", showDays);
	showDays();
	button.addEventListener("click", () => {
		const suspension = kind.value === kind.dataset.suspension;
		if (!field("exclusion-start").value || !field("exclusion-description").value.trim()) {
			frappe.msgprint(__("Enter the first day and what happened."));
			return;
		}
		if (suspension && !field("exclusion-days").value) {
			frappe.msgprint(__("Enter the length of the suspension in school days."));
			return;
		}
		const misses = field("exclusion-misses-exam").checked;
		frappe.call({
			method: "virtual_school.portal.actions.notify_exclusion",
			type: "POST",
			args: {
				child: field("exclusion-child").value,
				exclusion_type: kind.value,
				start_date: field("exclusion-start").value,
				school_days: suspension ? field("exclusion-days").value : null,
				reason: field("exclusion-reason").value,
				description: field("exclusion-description").value,
				notice_date: field("exclusion-notice").value || null,
				misses_public_examination: misses ? 1 : 0,
				examination_date: misses ? field("exclusion-exam-date").value || null : null,
			},
			freeze: true,
			callback: (r) => {
				if (!r.exc && r.message) {
					window.location.href =
						"/school-portal/exclusions?notified=" + encodeURIComponent(r.message.name);
				}
			},
		});
	});
});
