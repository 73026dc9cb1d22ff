"""Bench commands: ``virtual-school-import-gias``, ``virtual-school-demo``, ``virtual-school-annual-report``."""

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


@click.command("virtual-school-annual-report")
@click.option("--year", "academic_year", help="Academic year as 2025-26 (default: the current one)")
@click.option("--output", required=True, help="Where to write the .docx")
@pass_context
def annual_report(context, output, academic_year=None):
	"""Write the Virtual School Head's annual report for an academic year as .docx."""
	import frappe
	from frappe.utils import getdate, today

	from virtual_school.annual_report import write_annual_report
	from virtual_school.domain import school_days

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		academic_year = academic_year or school_days.academic_year_of(getdate(today()))
		content = write_annual_report(academic_year)
	finally:
		frappe.destroy()
	with open(output, "wb") as file:
		file.write(content)
	click.echo(f"Annual report {academic_year} written to {output} ({len(content):,} bytes)")


@click.command("virtual-school-benchmark")
@click.option("--scale", type=click.Choice(["la", "national"]), default="la", show_default=True)
@click.option("--runs", default=5, show_default=True, help="Runs per path (median and p95)")
@click.option("--no-generate", is_flag=True, help="Time the data already on the site")
@pass_context
def benchmark(context, scale="la", runs=5, no_generate=False):
	"""Time every report, the Child list and the daily sweep against hand-written SQL floors."""
	import frappe

	from virtual_school.benchmark import format_table, run_benchmark

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		result = run_benchmark(scale=scale, runs=runs, generate=not no_generate)
	finally:
		frappe.destroy()
	click.echo(format_table(result))


@click.command("virtual-school-import-ssda903")
@click.option("--header", "header_path", required=True, help="SSDA903 header CSV")
@click.option("--episodes", "episodes_path", required=True, help="SSDA903 episodes CSV")
@click.option("--preview", is_flag=True, help="Show what would change; write nothing")
@pass_context
def import_ssda903(context, header_path, episodes_path, preview=False):
	"""Create or update looked-after children from SSDA903 files (all-or-nothing per child)."""
	import frappe

	from virtual_school import ssda903_import

	with open(header_path, "rb") as header, open(episodes_path, "rb") as episodes:
		header_bytes, episodes_bytes = header.read(), episodes.read()
	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		if preview:
			result = ssda903_import.preview(header_bytes, episodes_bytes)
		else:
			result = ssda903_import.import_children(header_bytes, episodes_bytes)
			frappe.db.commit()
	finally:
		frappe.destroy()
	click.echo(json.dumps(result, indent=1, default=str))


commands = [import_gias, demo, annual_report, benchmark, import_ssda903]
