"""Bench commands: ``virtual-school-import-gias``, ``virtual-school-demo``, ``virtual-school-annual-report``."""

import json
import os
import time

import click
from frappe.commands import get_site, pass_context

# late imports: bench imports this module for every command of every app, so each command loads what it
# needs when it runs (as Frappe's own command modules do)


@click.command("virtual-school-import-gias")
@click.option("--file", "path", help="A GIAS establishment CSV on this machine")
@click.option("--url", help="Download from this URL instead of the one in Virtual School Settings")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
@pass_context
def import_gias(context, path=None, url=None, as_json=False):
	"""Insert or update schools from the DfE GIAS establishment extract."""
	import frappe

	from virtual_school.imports.gias import import_schools

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

	from virtual_school.devtools.demo import load_demo_data

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

	from virtual_school.domain import school_days
	from virtual_school.reports.annual_report import write_annual_report

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
@click.option("--scale", type=click.Choice(["tiny", "la", "national"]), default="la", show_default=True)
@click.option("--runs", default=5, show_default=True, help="Runs per path (median and p95)")
@click.option("--fraction", type=float, help="National scale: generate only this fraction (and extrapolate)")
@click.option("--no-generate", is_flag=True, help="Time the data already on the site")
@click.option("--http", is_flag=True, help="Also run the loopback HTTP load (gunicorn, 1/20/50 sessions)")
@click.option("--http-only", is_flag=True, help="Only the HTTP load (skip the in-process timings)")
@click.option("--base-url", help="HTTP load against this running server instead of starting gunicorn")
@click.option("--port", default=8031, show_default=True, help="Port for the benchmark's own gunicorn")
@click.option("--workers", default=4, show_default=True, help="gunicorn workers for the HTTP load")
@click.option("--seconds", default=15.0, show_default=True, help="Seconds per HTTP load level")
@click.option(
	"--ssda903",
	default=0,
	show_default=True,
	help="Also time the SSDA903 import of a generated extract of N children (preview, import, unchanged and "
	"changed re-import, each once, rolled back); 0: not timed. Issue #19's case is 15000",
)
@click.option("--json", "json_path", help="Write the JSON here (default: sites/SITE/private/benchmarks/)")
@pass_context
def benchmark(
	context,
	scale="la",
	runs=5,
	fraction=None,
	no_generate=False,
	http=False,
	http_only=False,
	base_url=None,
	port=8031,
	workers=4,
	seconds=15.0,
	ssda903=0,
	json_path=None,
):
	"""Time every report, the Child list, the portal, the sweep and a PP+ approval against SQL floors (and,
	with --ssda903 N, the SSDA903 import of N generated children)."""
	import frappe

	from virtual_school.devtools.benchmark import format_table, run_benchmark

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	http_options = None
	if http or http_only or base_url:
		http_options = {"base_url": base_url, "port": port, "workers": workers, "seconds": seconds}
	try:
		result = run_benchmark(
			scale=scale,
			runs=runs,
			generate=not no_generate,
			fraction=fraction,
			http=http_options,
			json_path=json_path,
			inprocess=not http_only,
			ssda903=ssda903,
			log=lambda message: click.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True),
		)
	finally:
		frappe.destroy()
	click.echo(format_table(result))


@click.command("virtual-school-import-ssda903")
@click.option("--header", "header_path", help="SSDA903 header CSV")
@click.option("--episodes", "episodes_path", help="SSDA903 episodes CSV")
@click.option("--reviews", "reviews_path", help="SSDA903 reviews CSV (optional)")
@click.option("--xml", "xml_path", help="The SSDA903 XML export (instead of the CSV files)")
@click.option("--preview", is_flag=True, help="Show what would change; write nothing")
@pass_context
def import_ssda903(
	context, header_path=None, episodes_path=None, reviews_path=None, xml_path=None, preview=False
):
	"""Create or update looked-after children from the SSDA903 return (CSV files or XML).

	Every child whose identity is usable is kept; a value that breaks its rule is not written and becomes a
	Data Quality Issue. Prints the counts, the rejected rows and a one-line summary as JSON.
	"""
	import frappe

	from virtual_school.imports import ssda903 as ssda903_import

	if not xml_path and not (header_path and episodes_path):
		raise click.UsageError("Give --header and --episodes (and --reviews if you have it), or --xml.")
	sources = {}
	for key, path in (
		("header", header_path),
		("episodes", episodes_path),
		("reviews", reviews_path),
		("xml", xml_path),
	):
		if path:
			with open(path, "rb") as file:
				sources[key] = (os.path.basename(path), file.read())
	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		if preview:
			result = ssda903_import.preview(**{key: content for key, (_name, content) in sources.items()})
		else:  # the files are kept on an Import Log (Head and Managers only), as a desk import keeps them
			result = ssda903_import.import_from_bench(**sources)
			frappe.db.commit()
	finally:
		frappe.destroy()
	click.echo(json.dumps(result, indent=1, default=str))


@click.command("virtual-school-subject-access")
@click.option("--child", required=True, help="The Child's name (its ID)")
@click.option("--output", required=True, help="Where to write the .zip")
@click.option("--user", help="Produce it as this Virtual School Head or Manager (default: Administrator)")
@pass_context
def subject_access(context, child, output, user=None):
	"""Write a subject access export of one child (records, files, history, access log, summary) as a ZIP."""
	import frappe

	from virtual_school.governance.sar import export_to_path

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		path, size = export_to_path(child, output, user=user)
		frappe.db.commit()  # the export's access log rows and its comment on the Child
	except (frappe.PermissionError, frappe.DoesNotExistError) as error:
		raise click.ClickException(frappe.utils.strip_html(str(error)) or type(error).__name__) from error
	finally:
		frappe.destroy()
	click.echo(f"Subject access export of {child} written to {path} ({size:,} bytes)")


@click.command("virtual-school-install-903-validator")
def install_903_validator():
	"""Build the DfE SSDA903 validator's own venv (csc-validator-be-903 pins pandas<2, numpy<1.25: never in
	Frappe's environment); the SSDA903 import then runs it after each import (virtual_school.imports.dfe_validator)."""
	from virtual_school.imports import dfe_validator

	started = time.monotonic()
	version = dfe_validator.install(quiet=False)
	click.echo(
		f"{dfe_validator.PACKAGE} {version} installed in {dfe_validator.venv_dir()}"
		f" ({time.monotonic() - started:.0f} s)"
	)


commands = [
	import_gias,
	demo,
	annual_report,
	benchmark,
	import_ssda903,
	subject_access,
	install_903_validator,
]
