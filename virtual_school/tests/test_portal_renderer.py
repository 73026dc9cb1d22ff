"""The portal's page renderer gives exactly Frappe's page (icon sprites loaded as assets, the page's own template
autoescaped), and its shared page chrome holds no user's data."""

import re
from unittest import mock

import frappe
from frappe.utils import add_days, getdate, today
from frappe.website.page_renderers.template_page import TemplatePage
from frappe.website.utils import clear_website_cache
from markupsafe import Markup

from virtual_school.portal import header
from virtual_school.portal import renderer as portal_renderer
from virtual_school.portal.renderer import (
	COMPILED,
	ICON_SPRITES,
	NOT_REDIRECTED,
	SHELLS,
	SchoolPortalPage,
	shell_version,
	sprite_url,
	sprites_as_assets,
)
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
)

OWN_USER, OTHER_USER = "render.own@school.test", "render.other@school.test"


def page_html(renderer, path: str = "school-portal") -> str:
	return renderer(path).get_html()


PAGE_CONTENT = re.compile(r"{%-?\s*block page_content\s*-?%}")


def page_source_only(name) -> bool:
	"""Autoescape what ``from_string`` compiles (the page's own source), not the templates it extends."""
	return name is None


class AutoescapedTemplatePage(TemplatePage):
	"""Frappe's TemplatePage rendering the page in one pass as Frappe does, except that the page's own template
	is autoescaped (the portal's rule, see portal_renderer): the reference the portal's renderer must match
	byte for byte. Without autoescaping the two differ wherever a page prints ``'``, ``&``, ``<`` or ``"``."""

	def render_template(self):
		environment = frappe.get_jenv().overlay(autoescape=page_source_only)
		# the portal's header opens every page's content (portal/header.py), rendered autoescaped
		self.context["portal_header"] = Markup(
			header.render(frappe.get_jenv().overlay(autoescape=True), self.context)
		)
		source = PAGE_CONTENT.sub(lambda found: found.group(0) + "{{ portal_header }}", self.source, count=1)
		return environment.from_string(source).render(self.context)


def frappes_page(path: str = "school-portal") -> str:
	"""Frappe's own page, autoescaped, with its icon sprites loaded as assets as the portal's renderer does."""
	return sprites_as_assets(frappe.get_jenv(), page_html(AutoescapedTemplatePage, path))


class TestPortalRenderer(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for email in (OWN_USER, OTHER_USER):  # make_user commits: users only here
			make_user(email, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		own_school = make_school("991301", "Render Own Primary")
		other_school = make_school("991302", "Render Other Primary")
		for user, school in ((OWN_USER, own_school), (OTHER_USER, other_school)):
			make_school_contact(user, school)
		self.ours = make_child("Rendered", carer_name="Renderer Secret Carer")
		self.theirs = make_child("Elsewhere", carer_name="Elsewhere Secret Carer")
		make_placement(self.ours.name, own_school, add_days(today(), -30))
		make_placement(self.theirs.name, other_school, add_days(today(), -30))
		SHELLS.clear()

	def tearDown(self):
		SHELLS.clear()
		frappe.set_user("Administrator")
		super().tearDown()

	def test_same_page_as_frappes_template_page(self):
		frappe.set_user(OWN_USER)
		expected = frappes_page()
		self.assertIn(f"{self.ours.first_name} {self.ours.last_name}", expected)
		self.assertEqual(page_html(SchoolPortalPage), expected)  # the chrome rendered now
		self.assertEqual(page_html(SchoolPortalPage), expected)  # the chrome reused
		for path in ("school-portal/peps", "school-portal/place-requests", "school-portal/pp-plus"):
			self.assertEqual(page_html(SchoolPortalPage, path), frappes_page(path), path)

	def test_icon_sprites_are_loaded_as_assets_not_inlined(self):
		frappe.set_user(OWN_USER)
		frappes = page_html(TemplatePage)
		ours = page_html(SchoolPortalPage)
		self.assertIn("<symbol", frappes)  # Frappe's base.html inlines them ...
		self.assertNotIn("<symbol", ours)  # ... the portal's pages do not
		self.assertLess(len(ours), 60_000)
		self.assertGreater(len(frappes) - len(ours), 250_000)
		self.assertIn("fetch(", ours)
		used = set(re.findall(r'<use href="#([^"]+)"', ours))
		self.assertIn("icon-menu", used)  # the navbar's
		symbols = set()
		for name in ICON_SPRITES:
			url = sprite_url(name)
			self.assertEqual(ours.count(f'data-src="{url}"'), 1, url)
			# the asset the placeholder loads is Frappe's sprite file, served from sites/assets/frappe/
			path = url.split("?")[0].removeprefix("/assets/frappe/")
			with open(frappe.get_app_path("frappe", "public", path), encoding="utf-8") as sprite:
				symbols |= set(re.findall(r'<symbol[^>]*\sid="([^"]+)"', sprite.read()))
		self.assertFalse(used - symbols, "every icon the page uses is in a loaded sprite")

	def test_shared_chrome_carries_no_users_data(self):
		frappe.set_user(OWN_USER)
		own = page_html(SchoolPortalPage)
		frappe.set_user(OTHER_USER)
		other = page_html(SchoolPortalPage)
		self.assertEqual(len(SHELLS._items), 1, "the two school users share the page chrome")
		shell = next(iter(SHELLS._items.values()))[0]
		for text in (self.ours.last_name, self.theirs.last_name, "Secret Carer", OWN_USER, OTHER_USER):
			self.assertNotIn(text, shell)
		self.assertIn(self.theirs.last_name, other)
		self.assertNotIn(self.ours.last_name, other)
		self.assertIn(self.ours.last_name, own)
		self.assertNotIn("Secret Carer", own + other)

	def test_every_request_checks_the_user(self):
		frappe.set_user(OWN_USER)
		page_html(SchoolPortalPage)  # chrome cached
		frappe.set_user("Guest")
		with self.assertRaises(frappe.Redirect):
			page_html(SchoolPortalPage)
		frappe.set_user(make_user("render.manager@example.test", "Virtual School Manager"))
		with self.assertRaises(frappe.PermissionError):
			page_html(SchoolPortalPage)

	def test_portal_paths_resolve_to_themselves_others_as_frappe(self):
		from frappe.website.path_resolver import PathResolver
		from frappe.website.path_resolver import resolve_path as frappes_resolve_path

		from virtual_school.portal.renderer import resolve_path

		self.assertIn(
			"virtual_school.portal.renderer.resolve_path", frappe.get_hooks("website_path_resolver")
		)
		for path in ("school-portal", "school-portal/peps", "school-portal/pep"):
			self.assertEqual(resolve_path(path), frappes_resolve_path(path))
			self.assertEqual(resolve_path(path + ".html"), path)
			self.assertEqual(frappe.local.path, path)
		for path in ("login", "me", "school-portals", "", "app/child"):
			self.assertEqual(resolve_path(path), frappes_resolve_path(path), path)
		frappe.set_user(OWN_USER)
		endpoint, renderer = PathResolver("school-portal/peps").resolve()
		self.assertEqual(endpoint, "school-portal/peps")
		self.assertIsInstance(renderer, SchoolPortalPage)

	def test_website_cache_clear_drops_the_chrome(self):
		frappe.set_user(OWN_USER)
		page_html(SchoolPortalPage)
		version = shell_version()
		clear_website_cache()
		self.assertFalse(SHELLS._items)
		self.assertNotEqual(shell_version(), version)

	def test_templates_compiled_once_and_again_when_changed(self):
		environment = frappe.get_jenv()
		first = COMPILED.from_string(environment, "{{ 1 + 1 }} a")
		self.assertEqual(first.render(), "2 a")
		self.assertIs(
			COMPILED.from_string(environment, "{{ 1 + 1 }} a").root_render_func.__code__,
			first.root_render_func.__code__,
		)
		self.assertEqual(COMPILED.from_string(environment, "{{ 1 + 2 }} a").render(), "3 a")

	def test_portal_paths_without_redirect_remembered_until_the_rules_change(self):
		from frappe.website import path_resolver
		from frappe.website.page_renderers.redirect_page import RedirectPage

		frappes = portal_renderer.frappes_resolve_redirect
		self.assertIn(
			"virtual_school.portal.renderer.remember_portal_paths_without_redirect",
			frappe.get_hooks("before_request"),
		)
		portal_renderer.remember_portal_paths_without_redirect()  # what every request does first
		self.assertIs(path_resolver.resolve_redirect, portal_renderer.resolve_redirect)
		NOT_REDIRECTED.clear()
		try:
			with mock.patch.object(portal_renderer, "frappes_resolve_redirect", wraps=frappes) as asked:
				for _request in range(3):
					path_resolver.resolve_redirect("school-portal/moved")
					path_resolver.resolve_redirect("login")  # not a portal path: Frappe's, every time
				self.assertEqual(
					[call.args[0] for call in asked.call_args_list], ["school-portal/moved", *["login"] * 3]
				)
				# Frappe's own redirect rules still apply to portal paths (its hook: /desk… → /app…)
				with self.assertRaises(frappe.Redirect):
					path_resolver.resolve_redirect("desk")

			# a redirect added in Website Settings applies at once: saving them clears the website cache
			settings = frappe.get_single("Website Settings")
			settings.append(
				"route_redirects", {"source": "school-portal/moved", "target": "/school-portal/peps"}
			)
			settings.save()
			with self.assertRaises(frappe.Redirect):
				path_resolver.resolve_redirect("school-portal/moved")
			self.assertEqual(frappe.flags.redirect_location, "/school-portal/peps")
			frappe.set_user(OWN_USER)
			_endpoint, renderer = path_resolver.PathResolver("school-portal/moved").resolve()
			self.assertIsInstance(renderer, RedirectPage)
		finally:
			path_resolver.resolve_redirect = frappes
			frappe.set_user("Administrator")
			frappe.db.rollback()
			clear_website_cache()  # Frappe caches the redirect it found; the rule is rolled back

	def test_long_dates_as_frappes_format_date(self):
		from frappe.utils.data import global_date_format

		from virtual_school.portal.pages import long_date

		lang = frappe.local.lang
		try:
			for frappe.local.lang in ("en", "fr", "de"):
				for value in ("2027-03-05", getdate(today()), add_days(today(), 400)):
					self.assertEqual(long_date(value), global_date_format(value), (frappe.local.lang, value))
					self.assertEqual(long_date(value), global_date_format(value))  # and from the cache
		finally:
			frappe.local.lang = lang
