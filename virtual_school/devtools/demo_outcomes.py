"""Demo: last year's key stage outcomes, national comparators and last year's annual report (issue #23 item 7).

Children looked after on 31 March of last academic year who were then at the end of a key stage (Reception,
Year 6, Year 11) or in Years 12-13 get a Key Stage Outcome of that year; the settings get a national figure per
measure, marked as demo values (a council enters the DfE's published figures and their source); then last
year's annual report is generated as the Head's button does, so a run for a past year is there to open. Its own
random stream: the rest of the demo's data do not move.
"""

import random
from datetime import date, timedelta

import frappe
from frappe.utils import getdate, today

from virtual_school.children.vocabulary import looked_after_on
from virtual_school.domain import outcomes, school_days
from virtual_school.reports import annual_report

LIMIT = 400  # records: enough for every table of the report, quick to insert
DEMO_SOURCE = (
	"Demo figure, not a published statistic: enter the DfE's 'Outcomes for children in need, including children "
	"looked after by local authorities in England' figure and its address"
)
# illustrative shares of children achieving each measure, and the demo's national figure beside it
RATES = {
	measure.label: rate
	for measure, rate in zip(outcomes.MEASURES, (0.40, 0.52, 0.40, 0.55, 0.33, 0.14), strict=True)
}
NATIONAL = {
	**{label: round(rate * 100 + 2, 1) for label, rate in RATES.items()},
	outcomes.ATTAINMENT_8: 19.5,
	outcomes.NEET_MEASURE: 38.0,
}
PARTICIPATION_WEIGHTS = (55, 12, 6, 22, 5)


def create_outcomes(seed: int = 2026) -> int:
	"""The demo's outcomes, comparators and past-year report run, once; returns the outcomes created."""
	if frappe.db.exists("Key Stage Outcome"):
		return 0
	rng = random.Random(seed)
	this_start = school_days.academic_year_bounds(school_days.academic_year_of(getdate(today())))[0]
	last_year = school_days.academic_year_of(this_start - timedelta(days=1))
	last_end = school_days.academic_year_bounds(last_year)[1]
	child = frappe.qb.DocType("Child")
	children = (
		frappe.qb.from_(child)
		.select(child.name, child.date_of_birth)
		.where(looked_after_on(child, date(last_end.year, 3, 31)))
		.orderby(child.name)
		.run(as_dict=True)
	)
	created = 0
	for row in children:
		if created >= LIMIT:
			break
		values = _outcome(rng, school_days.year_group(getdate(row.date_of_birth), last_end))
		if values is None:
			continue
		frappe.get_doc(
			{"doctype": "Key Stage Outcome", "child": row.name, "academic_year": last_year, **values}
		).insert(ignore_permissions=True)
		created += 1
	settings = frappe.get_single("Virtual School Settings")
	for measure, value in NATIONAL.items():
		settings.append(
			"outcome_national_figures",
			{"academic_year": last_year, "measure": measure, "national_figure": value, "source": DEMO_SOURCE},
		)
	settings.save(ignore_permissions=True)
	annual_report.generate(last_year)
	return created


def _outcome(rng: random.Random, year_group: int | None) -> dict | None:
	"""A plausible record for a child in ``year_group`` at the end of last year, or None between key stages."""
	key_stage = {
		0: outcomes.EYFS,
		6: outcomes.KS2,
		11: outcomes.KS4,
		12: outcomes.POST_16,
		13: outcomes.POST_16,
	}
	stage = key_stage.get(year_group)
	if stage is None:
		return None
	values: dict = {"key_stage": stage}
	if stage == outcomes.POST_16:
		values["participation"] = rng.choices(outcomes.PARTICIPATION, PARTICIPATION_WEIGHTS)[0]
		return values
	for measure in outcomes.MEASURES:
		if measure.key_stage != stage or len(measure.fields) > 1:
			continue
		values[measure.fields[0]] = outcomes.YES if rng.random() < RATES[measure.label] else outcomes.NO
	if stage == outcomes.KS4 and rng.random() < 0.8:
		values["attainment_8"] = round(rng.uniform(5, 60), 1)
	return values
