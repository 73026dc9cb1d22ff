from frappe import _


def get_data():
	return {
		"fieldname": "reference_name",
		"non_standard_fieldnames": {},
		"transactions": [{"label": _("Escalations"), "items": ["Escalation"]}],
	}
