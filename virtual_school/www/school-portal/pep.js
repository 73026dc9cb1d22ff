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
	const on = (id, handler) => {
		const element = document.getElementById(id);
		if (element) element.addEventListener("click", handler);
	};
	on("add-target", () => add("target-template", "targets"));
	on("add-attainment", () => add("attainment-template", "attainment"));
	on("add-variant-row", () => add("variant-template", "variant-rows"));
	// the school's part of the PEP's variant (issue #23): only the fields this page shows are sent
	const variantFields = [
		"conduct_record",
		"achievements",
		"ey_setting_type",
		"ey_setting_name",
		"post16_course",
		"post16_provider",
		"bursary_status",
		"next_step_plans",
	];
	const variantRows = {
		early_learning_goals: (row) => ({
			area: value(row, ".g-area"),
			goal: value(row, ".g-goal"),
			judgement: value(row, ".g-judgement"),
			next_steps: value(row, ".g-next"),
		}),
		qualification_aims: (row) => ({
			qualification: value(row, ".q-qualification"),
			level: value(row, ".q-level"),
			predicted_grade: value(row, ".q-predicted"),
			target_grade: value(row, ".q-target"),
		}),
	};
	const collectVariant = () => {
		const data = {};
		for (const field of variantFields) {
			if (form.querySelector(`#${field}`)) data[field] = value(form, `#${field}`);
		}
		const rows = document.getElementById("variant-rows");
		if (rows && variantRows[rows.dataset.table]) {
			data[rows.dataset.table] = [...rows.querySelectorAll(".variant-row")].map(variantRows[rows.dataset.table]);
		}
		return data;
	};
	const collect = () => ({
		...collectVariant(),
		designated_teacher: value(form, "#designated_teacher"),
		meeting_date: value(form, "#meeting_date"),
		attendance_percent: value(form, "#attendance_percent"),
		child_views: value(form, "#child_views"),
		no_views_reason: value(form, "#no_views_reason"),
		no_views_detail: value(form, "#no_views_detail"),
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
