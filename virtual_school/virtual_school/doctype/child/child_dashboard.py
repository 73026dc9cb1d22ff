from frappe import _


def get_data():
	return {
		"fieldname": "child",
		"transactions": [
			{"label": _("School"), "items": ["Education Placement"]},
		],
	}
