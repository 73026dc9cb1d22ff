from frappe import _


def get_data():
	return {
		"fieldname": "child",
		"transactions": [
			{"label": _("School"), "items": ["Education Placement", "School Place Request"]},
			{"label": _("Escalations"), "items": ["Escalation"]},
		],
	}
