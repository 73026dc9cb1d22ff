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
		if (frappe.user.has_role("Social Worker") && frm.doc.caseworker) {
			// children/social_worker.py: a to-do for the child's caseworker (social workers have no PP+ access)
			frm.add_custom_button(__("Ask Caseworker for PP+"), () =>
				frappe.prompt(
					{ fieldname: "reason", fieldtype: "Small Text", label: __("What would the PP+ pay for?"), reqd: 1 },
					({ reason }) =>
						frappe
							.call("virtual_school.children.social_worker.ask_caseworker_for_pp_plus", {
								child: frm.doc.name,
								reason,
							})
							.then(() => frappe.show_alert({ message: __("Sent to the caseworker"), indicator: "green" })),
					__("Ask Caseworker for PP+")
				)
			);
		}
		show_school_summary(frm);
		show_case_summary(frm);
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

function show_case_summary(frm) {
	// children/summary.py: the PEP, PP+, escalations, days without a place and placements, each read with
	// the user's own permissions; the buttons start the next piece of casework with the child filled in
	frappe.call("virtual_school.children.summary.case_summary", { child: frm.doc.name }).then(({ message: m }) => {
		if (!m) return;
		const esc = frappe.utils.escape_html;
		const date = (value) => (value ? frappe.datetime.str_to_user(value) : "");
		const lines = [];
		if (m.pep) {
			const current = m.pep.current;
			if (current)
				lines.push(
					__("PEP {0}: {1}, due {2}.", [
						`<a href="/app/personal-education-plan/${encodeURIComponent(current.name)}">${esc(current.name)}</a>`,
						esc(__(current.workflow_state || "")),
						date(current.due_date),
					])
				);
			else if (m.looked_after) lines.push(`<b>${__("No PEP")}</b>`);
			if (m.pep.next_due) lines.push(__("Next PEP due by {0} ({1}).", [date(m.pep.next_due), esc(m.pep.next_due_rule || "")]));
			if (m.pep.missed)
				lines.push(`<b>${__("{0} PEP obligations missed, the first due {1}.", [m.pep.missed, date(m.pep.first_missed)])}</b>`);
		}
		if (m.pp_plus) lines.push(__("PP+ {0}: {1}.", [esc(m.pp_plus.funding_year), esc(m.pp_plus.message)]));
		if (m.without_place)
			lines.push(
				`<b>${__("Without a school place for {0} school days (since {1}).", [
					m.without_place.school_days,
					date(m.without_place.since),
				])}</b>`
			);
		(m.escalations || []).forEach((row) =>
			lines.push(
				__("Escalation {0}: level {1}, open {2} days ({3}).", [
					`<a href="/app/escalation/${encodeURIComponent(row.name)}">${esc(row.name)}</a>`,
					row.level,
					row.age_days,
					esc(__(row.reference_doctype || "")),
				])
			)
		);
		const placements = (m.placements || [])
			.map(
				(row) => `<tr><td><a href="/app/education-placement/${encodeURIComponent(row.name)}">${esc(
					row.school_name || row.school
				)}</a></td><td>${date(row.start_date)}</td><td>${row.end_date ? date(row.end_date) : __("current")}</td>
				<td>${esc(__(row.attendance_basis || ""))}</td></tr>`
			)
			.join("");
		const table = placements
			? `<table class="table table-sm table-bordered mt-2"><thead><tr><th>${__("School")}</th><th>${__("From")}</th>
			<th>${__("To")}</th><th>${__("Basis")}</th></tr></thead><tbody>${placements}</tbody></table>`
			: "";
		if (lines.length || table)
			frm.dashboard.add_section(`<div>${lines.map((line) => `<div>${line}</div>`).join("")}</div>${table}`, __("Case Summary"));
		const start = (label, doctype, values, when) => {
			if (when && frappe.model.can_create(doctype))
				frm.add_custom_button(label, () => frappe.new_doc(doctype, values), __("Start"));
		};
		start(__("Request School Place"), "School Place Request", { child: frm.doc.name }, frm.doc.status === "Active");
		start(__("Start PEP"), "Personal Education Plan", { child: frm.doc.name }, m.looked_after);
		start(__("Raise PP+ Claim"), "PP Plus Claim", { child: frm.doc.name }, Boolean(m.pp_plus));
		start(__("Raise Escalation"), "Escalation", { reference_doctype: "Child", reference_name: frm.doc.name }, true);
	});
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
