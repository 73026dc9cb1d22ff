from frappe import _

from virtual_school.portal.pages import long_date, page_context, pupils_at

no_cache = 1


def get_context(context):
	schools = page_context(context, _("My Pupils"))  # sign-in, role and school checks
	context.pupils = with_labels(pupils_at(schools))


def with_labels(pupils: list[dict]) -> list[dict]:
	"""Each pupil's translated year group and PEP status and formatted due date, made once here rather than
	in both of the page's lists (translating and formatting in the template costs more than the query)."""
	labels = {}

	def label(value):
		if value not in labels:
			labels[value] = _(value or "")
		return labels[value]

	for pupil in pupils:
		pupil["year_group_label"] = label(pupil["year_group"])
		pupil["pep_status_label"] = label(pupil["pep_status"])
		pupil["pep_due_label"] = long_date(pupil["pep_due"]) if pupil["pep_due"] else ""
	return pupils
