frappe.ready(() => {
	const form = document.getElementById("pep-form");
	if (!form || !document.getElementById("save-pep")) return;
	const value = (root, selector) => {
		const element = root.querySelector(selector);
		return element.type === "checkbox" ? (element.checked ? 1 : 0) : element.value;
	};
	const add = (template, container) => {
		const content = document.getElementById(template).content.cloneNode(true);
		document.getElementById(container).appendChild(content);
	};
	document.getElementById("add-target").addEventListener("click", () => add("target-template", "targets"));
	document
		.getElementById("add-attainment")
		.addEventListener("click", () => add("attainment-template", "attainment"));
	const collect = () => ({
		designated_teacher: value(form, "#designated_teacher"),
		meeting_date: value(form, "#meeting_date"),
		attendance_percent: value(form, "#attendance_percent"),
		child_views: value(form, "#child_views"),
		targets: [...form.querySelectorAll("#targets .target-row")].map((row) => ({
			area: value(row, ".t-area"),
			progress_rag: value(row, ".t-rag"),
			pp_plus_funded: value(row, ".t-funded"),
			target: value(row, ".t-target"),
			success_measure: value(row, ".t-measure"),
		})),
		attainment: [...form.querySelectorAll("#attainment .attainment-row")].map((row) => ({
			subject: value(row, ".a-subject"),
			current: value(row, ".a-current"),
			target: value(row, ".a-target"),
		})),
	});
	const save = (submit) =>
		frappe.call({
			method: "virtual_school.portal.actions.save_pep",
			type: "POST",
			args: { name: form.dataset.name, data: JSON.stringify(collect()), submit: submit ? 1 : 0 },
			freeze: true,
			callback: (r) => {
				if (!r.exc) window.location.reload();
			},
		});
	document.getElementById("save-pep").addEventListener("click", () => save(false));
	document.getElementById("submit-pep").addEventListener("click", () => save(true));
});
