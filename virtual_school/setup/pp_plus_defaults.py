"""PP+ funding years from the published grant rates (virtual_school/data/pp_plus_rates.csv).

Rates change every year: they are data, never code. A year the council has already set up is left alone
(its top-slice and caps are local choices); a missing year is created with no top-slice.
"""

import csv
from pathlib import Path

import frappe

RATES_FILE = Path(__file__).resolve().parent.parent / "data" / "pp_plus_rates.csv"


def ensure_funding_years() -> None:
	with RATES_FILE.open(newline="", encoding="utf-8") as rates:
		for row in csv.DictReader(rates):
			if not frappe.db.exists("PP Plus Funding Year", row["financial_year"]):
				frappe.get_doc(
					{
						"doctype": "PP Plus Funding Year",
						"label": row["financial_year"],
						"rate_per_child": row["rate_per_child"],
						"top_slice_percent": 0,
					}
				).insert(ignore_permissions=True)
