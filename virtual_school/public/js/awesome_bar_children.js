// Copyright (c) 2026, virtual_school contributors
// For license information, please see license.txt

// The awesome bar finds the user's own children by name as they type (issue #21 item 3). Frappe v15's awesome
// bar lists only doctypes, reports and pages, and its "Search for …" dialog titles each child by its ID; here
// each typed text also asks virtual_school.children.search.children_for_awesome_bar, which lists through the
// caseload permission hooks, and the children found join the dropdown with their name, year group and school.
// Every value is escaped: Frappe's dropdown writes labels and descriptions as HTML.
(() => {
	const AwesomeBar = frappe.search && frappe.search.AwesomeBar;
	if (!AwesomeBar) return;
	const add_defaults = AwesomeBar.prototype.add_defaults;
	let latest = null;

	AwesomeBar.prototype.add_defaults = function (txt) {
		add_defaults.call(this, txt);
		if (txt.charAt(0) === "#" || !(frappe.boot.user.can_read || []).includes("Child")) return;
		const request = frappe.xcall("virtual_school.children.search.children_for_awesome_bar", { text: txt });
		latest = request;
		request.then((children) => {
			const typed = (this.awesomplete.input.value || "").trim().replace(/\s\s+/g, " ");
			if (request !== latest || typed !== txt || !children || !children.length) return;
			const escape = frappe.utils.escape_html;
			const found = children.map((child) => ({
				label: `<span class="vs-awesome-child">${escape(child.full_name || child.name)}</span>`,
				value: `${child.full_name || ""} ${child.name}`,
				description: escape(
					[__("Child"), child.year_group, child.current_school_name].filter(Boolean).join(" · ")
				),
				route: ["Form", "Child", child.name],
				index: 95,
			}));
			this.options = found.concat(this.options);
			this.awesomplete.list = this.deduplicate(this.options);
			this.awesomplete.evaluate();
		});
	};
})();
