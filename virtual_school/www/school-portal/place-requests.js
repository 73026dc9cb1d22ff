frappe.ready(() => {
	document.querySelectorAll(".place-request").forEach((card) => {
		const answer = (response) => {
			const reason = card.querySelector(".refusal-reason").value.trim();
			if (response === "Refused" && !reason) {
				frappe.msgprint(__("Please give the reason your school cannot offer a place."));
				return;
			}
			frappe.call({
				method: "virtual_school.portal.actions.answer_place_request",
				type: "POST",
				args: {
					request: card.dataset.request,
					approach: card.dataset.approach,
					response: response,
					refusal_reason: reason,
					start_date: response === "Offered" ? card.querySelector(".offered-start").value || null : null,
				},
				freeze: true,
				callback: (r) => {
					if (!r.exc) window.location.reload();
				},
			});
		};
		const offer = card.querySelector(".btn-offer");
		if (offer) offer.addEventListener("click", () => answer("Offered"));
		const refuse = card.querySelector(".btn-refuse");
		if (refuse) refuse.addEventListener("click", () => answer("Refused"));
	});
});
