// What to do next on this record (issue #21), from virtual_school/shared/next_step.py: Frappe hides a workflow
// action whose condition is false, and shows none on a new record, so the form says which action is ready and
// what each blocked one still needs. Included by the forms of the app's workflow doctypes; refreshed on every
// change to the form (debounced), so it follows what the user types before saving.
window.virtual_school_next_step = window.virtual_school_next_step || {
	show(frm) {
		if (frm.doc.docstatus === 2) return;
		const wrapper = $(frm.wrapper);
		if (!wrapper.data("vs-next-step")) {
			wrapper.data("vs-next-step", true);
			wrapper.on("dirty", frappe.utils.debounce(() => this.render(frm), 400));
		}
		this.render(frm);
	},
	render(frm) {
		const name = frm.doc.name;
		// Only the latest answer is shown: a render started by a change just before a save can answer after
		// the one the save's refresh started, and would put back "save, then …" on the saved form.
		const ticket = (frm.vs_next_step_ticket = (frm.vs_next_step_ticket || 0) + 1);
		frappe
			.xcall("virtual_school.shared.next_step.next_step", { doc: JSON.stringify(frm.doc) })
			.then((found) => {
				if (frm.doc.name !== name) return; // the user moved to another record meanwhile
				if (frm.vs_next_step_ticket !== ticket) return; // a later render answers instead
				this.say(frm, (found && found.message) || ""); // escaped on the server
			});
	},
	// One block of the form's message area (which set_intro appends to), replaced on each call; "" removes it.
	say(frm, html) {
		let block = frm.layout.message.find(".vs-next-step");
		if (!html) {
			block.remove();
			return;
		}
		if (!block.length) {
			frm.set_intro('<div class="vs-next-step"></div>', "blue");
			block = frm.layout.message.find(".vs-next-step");
		}
		block.html(html);
	},
};
