"""Bench commands: ``bench --site S virtual-school-import-gias`` and ``virtual-school-demo``."""

import json

import click
from frappe.commands import get_site, pass_context


@click.command("virtual-school-import-gias")
@click.option("--file", "path", help="A GIAS establishment CSV on this machine")
@click.option("--url", help="Download from this URL instead of the one in Virtual School Settings")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
@pass_context
def import_gias(context, path=None, url=None, as_json=False):
	"""Insert or update schools from the DfE GIAS establishment extract."""
	import frappe

	from virtual_school.gias_import import import_schools

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		summary = import_schools(source=path or url)
		frappe.db.commit()
	finally:
		frappe.destroy()
	if as_json:
		click.echo(json.dumps(summary.as_dict(), indent=1, default=str))
		return
	click.echo(
		f"GIAS import from {summary.source}: {summary.inserted} inserted, {summary.updated} updated, "
		f"{summary.unchanged} unchanged, {len(summary.rejected)} rejected"
	)
	for row in summary.rejected:
		click.echo(f"  row {row['row']}: {row['column']}: {row['reason']}")


@click.command("virtual-school-demo")
@click.option("--children", default=2000, show_default=True, help="Looked-after children to create")
@click.option("--cwsw", default=None, type=int, help="Children with a social worker (default: 6 x children)")
@click.option(
	"--seed", default=2026, show_default=True, help="Random seed: the same seed gives the same data"
)
@pass_context
def demo(context, children=2000, cwsw=None, seed=2026):
	"""Load a believable demo authority: schools, staff users, children, placements."""
	import frappe

	from virtual_school.demo import load_demo_data

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		report = load_demo_data(looked_after=children, with_social_worker=cwsw, seed=seed)
		frappe.db.commit()
	finally:
		frappe.destroy()
	click.echo(report)


commands = [import_gias, demo]
