frappe.ready(() => {
	const form = document.getElementById("attendance-form");
	if (!form) return;
	const result = document.getElementById("attendance-result");
	const importButton = document.getElementById("attendance-import");
	const esc = frappe.utils.escape_html;
	let csvText = null;

	const readFile = () =>
		new Promise((resolve, reject) => {
			const file = document.getElementById("attendance-file").files[0];
			if (!file) return resolve(null);
			const reader = new FileReader();
			reader.onload = () => resolve(reader.result);
			reader.onerror = reject;
			reader.readAsText(file);
		});

	const show = (m, done) => {
		const c = m.counts;
		const rejected = (m.rejected || [])
			.map((r) => `<li>${__("Row {0}", [esc(String(r.row || "-"))])}${r.column ? ", " + esc(r.column) : ""}: ${esc(r.reason)}</li>`)
			.join("");
		const summary = done
			? __("Sent: {0} weeks added, {1} corrected, {2} unchanged.", [c.create, c.update, c.unchanged])
			: __("{0} weeks to add, {1} to correct, {2} unchanged.", [c.create, c.update, c.unchanged]);
		result.innerHTML = `<div class="alert ${done ? "alert-success" : "alert-info"}">${summary}</div>
			${c.rejected ? `<p><strong>${__("{0} rows cannot be imported:", [c.rejected])}</strong></p><ul class="small">${rejected}</ul>` : ""}`;
		importButton.classList.toggle("d-none", done || !(c.create || c.update));
	};

	const send = (confirm) =>
		frappe.call({
			method: "virtual_school.attendance.services.portal_upload",
			type: "POST",
			args: {
				csv_text: csvText,
				school: document.getElementById("attendance-school").value,
				academic_year: form.dataset.academicYear,
				confirm: confirm ? 1 : 0,
			},
			freeze: true,
			callback: (r) => {
				if (!r.exc) show(r.message, confirm);
			},
		});

	document.getElementById("attendance-preview").addEventListener("click", async () => {
		csvText = await readFile();
		if (!csvText) {
			frappe.msgprint(__("Choose the CSV file first."));
			return;
		}
		send(false);
	});
	importButton.addEventListener("click", () => send(true));
	document.getElementById("attendance-file").addEventListener("change", () => {
		importButton.classList.add("d-none");
		result.innerHTML = "";
	});
});
