from frappe import _


def get_data():
	return {
		"fieldname": "child",
		"transactions": [
			{"label": _("School"), "items": ["Education Placement", "School Place Request"]},
			{
				"label": _("Education Plans and Funding"),
				"items": ["Personal Education Plan", "PP Plus Claim"],
			},
			{"label": _("Escalations"), "items": ["Escalation"]},
			# what the SSDA903 import could not write for this child (issue #19)
			{"label": _("Data Quality"), "items": ["Data Quality Issue"]},
		],
	}
