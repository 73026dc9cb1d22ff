// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Child", {
	setup(frm) {
		frm.set_query("caseworker", () => ({
			query: "frappe.core.doctype.user.user.user_query",
			filters: { ignore_user_type: 0 },
		}));
	},

	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(
			__("Education Placement"),
			() => frappe.new_doc("Education Placement", { child: frm.doc.name }),
			__("Add")
		);
		if (frappe.user.has_role(["Virtual School Head", "Virtual School Manager"])) {
			// governance/sar.py checks the role and the child again; the ZIP is streamed, never stored
			frm.add_custom_button(__("Subject Access Export"), () =>
				open_url_post("/api/method/virtual_school.governance.sar.download", { child: frm.doc.name })
			);
			frm.add_custom_button(__("Who Viewed This Child"), () =>
				frappe.set_route("query-report", "Who Viewed This Child", { child: frm.doc.name })
			);
		}
		show_school_summary(frm);
		show_data_quality(frm);
		show_attendance(frm);
		show_attainment(frm);
	},

	upn(frm) {
		if (frm.doc.upn) frm.set_value("upn", frm.doc.upn.trim().toUpperCase());
	},
});

function show_school_summary(frm) {
	const parts = [];
	if (frm.doc.current_school) {
		parts.push(
			__("On roll at {0} ({1}).", [
				`<a href="/app/school/${encodeURIComponent(frm.doc.current_school)}">${frappe.utils.escape_html(
					frm.doc.current_school_name || frm.doc.current_school
				)}</a>`,
				__(frm.doc.current_attendance_basis || ""),
			])
		);
	} else if (frm.doc.status === "Active") {
		parts.push(`<b>${__("No current school place.")}</b>`);
	}
	if (frm.doc.out_of_authority) parts.push(__("Lives out of authority."));
	if (frm.doc.year_group) parts.push(__(frm.doc.year_group));
	if (parts.length)
		frm.dashboard.set_headline_alert(parts.join(" "), frm.doc.current_school ? "blue" : "orange");
}

function show_data_quality(frm) {
	// what the SSDA903 import could not write for this child (Data Quality Issue, read with the user's permissions)
	frappe.db.count("Data Quality Issue", { filters: { child: frm.doc.name, status: "Open" } }).then((count) => {
		const notes = [];
		if (count)
			notes.push(
				`<a href="/app/data-quality-issue?child=${encodeURIComponent(frm.doc.name)}&status=Open">${__(
					"{0} open data-quality issues",
					[count]
				)}</a>: ${__("values in the social-care extract broke a rule and were not written; fix them at source.")}`
			);
		if (frm.doc.care_history_uncertain)
			notes.push(__("Some care episodes could not be used: the dates entered and left care may be wrong."));
		if (notes.length) frm.set_intro(notes.join("<br>"), "orange");
	});
}

function show_attendance(frm) {
	frappe.call("virtual_school.attendance.services.child_attendance", { child: frm.doc.name }).then(({ message: m }) => {
		if (!m || !m.year) return;
		const esc = frappe.utils.escape_html;
		const band = (r) =>
			r.band
				? `<span class="indicator-pill ${r.band === "Severe absence" ? "red" : "orange"}">${esc(__(r.band))}</span>`
				: `<span class="indicator-pill green">${__("Attending")}</span>`;
		const rows = [...m.terms, m.year]
			.map(
				(r) => `<tr><td>${esc(__(r.label))}</td><td>${r.percent === null ? "-" : r.percent + "%"}</td>
				<td>${band(r)}</td><td>${r.attended} / ${r.possible}</td><td>${r.unauthorised}</td><td>${r.suspended}</td>
				<td>${r.weeks}</td></tr>`
			)
			.join("");
		const last = m.last_week
			? __("Last week received: {0} ({1}).", [frappe.datetime.str_to_user(m.last_week.week_starting), esc(m.last_week.school_name || "")])
			: "";
		frm.dashboard.add_section(
			`<table class="table table-sm table-bordered"><thead><tr><th>${__("Term")} ${esc(m.academic_year)}</th>
			<th>${__("Attendance")}</th><th>${__("Absence")}</th><th>${__("Sessions attended")}</th>
			<th>${__("Unauthorised")}</th><th>${__("Suspended")}</th><th>${__("Weeks")}</th></tr></thead>
			<tbody>${rows}</tbody></table><p class="text-muted small">${last}
			<a href="/app/attendance-record?child=${encodeURIComponent(frm.doc.name)}">${__("All weeks")}</a></p>`,
			__("Attendance")
		);
	});
}

function show_attainment(frm) {
	frappe.call("virtual_school.peps.services.attainment_history", { child: frm.doc.name }).then(({ message }) => {
		if (!message || !message.length) return;
		const esc = frappe.utils.escape_html;
		const rows = message
			.map(
				(r) => `<tr><td><a href="/app/personal-education-plan/${encodeURIComponent(r.pep)}">${esc(r.pep)}</a></td>
				<td>${esc(r.academic_year || "")} ${esc(__(r.term || ""))}</td><td>${esc(__(r.subject))}</td>
				<td>${esc(r.current || "")}</td><td>${esc(r.target || "")}</td><td>${esc(__(r.workflow_state || ""))}</td></tr>`
			)
			.join("");
		frm.dashboard.add_section(
			`<table class="table table-sm table-bordered"><thead><tr><th>${__("PEP")}</th><th>${__("Term")}</th>
			<th>${__("Subject")}</th><th>${__("Current")}</th><th>${__("Target")}</th><th>${__("Status")}</th></tr></thead>
			<tbody>${rows}</tbody></table>`,
			__("Attainment, term by term")
		);
	});
}
