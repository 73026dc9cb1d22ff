frappe.ready(() => {
	const form = document.getElementById("impact-form");
	if (!form || !document.getElementById("save-report")) return;
	const readFile = () =>
		new Promise((resolve, reject) => {
			const file = document.getElementById("report-file").files[0];
			if (!file) return resolve(null);
			const reader = new FileReader();
			reader.onload = () =>
				resolve({ file_name: file.name, content: reader.result.split(",", 2)[1] || "" });
			reader.onerror = reject;
			reader.readAsDataURL(file);
		});
	const save = async (submit) => {
		const rows = [...form.querySelectorAll(".impact-row")].map((row) => ({
			name: row.dataset.row,
			what_was_done: row.querySelector(".r-done").value,
			impact: row.querySelector(".r-impact").value,
			target_met: row.querySelector(".r-met").value,
		}));
		const file = await readFile();
		frappe.call({
			method: "virtual_school.portal.actions.save_impact_report",
			type: "POST",
			args: {
				name: form.dataset.name,
				rows: JSON.stringify(rows),
				submit: submit ? 1 : 0,
				file: file ? JSON.stringify(file) : null,
			},
			freeze: true,
			callback: (r) => {
				if (!r.exc) window.location.reload();
			},
		});
	};
	document.getElementById("save-report").addEventListener("click", () => save(false));
	document.getElementById("submit-report").addEventListener("click", () => save(true));
});
