"""The school portal's page renderer (``page_renderer`` hook): Frappe's own TemplatePage, without recompiling
every Jinja template on every request.

Frappe v15 builds a new Jinja environment for each request (``frappe.local.jenv``), so each template a page
uses is parsed and compiled again every time: for a portal page (``templates/web.html``, ``base.html``,
the navbar and footer, the sidebar and the two icon sprites of 320 KB that ``base.html`` includes) that was
~90 of its ~140 ms. This renderer keeps the *compiled code* of those templates for the life of the worker
process, keyed by the template's name and a checksum of its source (the source is still read on every
request, so an edited template is recompiled at once). Only code compiled from the app's and Frappe's
template files is kept: no context, no rendered output, nothing of one user's is shared with another. Every
request still builds its own environment, runs the page's ``get_context`` (sign-in, role and school checks)
and renders with its own context.

It also answers for ``/school-portal`` paths before Frappe tries its web form and document routes (each
builds a werkzeug routing map on every request), since those paths are the portal's own ``www`` pages; and
resolves those paths without Frappe's website route rules (``resolve_path``, another werkzeug map).

**The page chrome is rendered once, the page's own part on every request.** A Frappe web page for a
signed-in user costs ~40 ms of which the page's own blocks (``title``, ``page_content``) are ~1 ms: the
rest is the same for every school user — website settings and boot data (Frappe computes the desk's
workspace sidebar twice for it, even for a Website User), the navbar and footer web blocks, the portal
menu, the 320 KB icon sprites. ``SchoolPortalPage`` keeps that chrome per worker process, with the
page's blocks left as placeholders, keyed by everything it is made from (site, host, path, language,
the user's roles, time zone and default app, the system's date and number formats, the build, the page
source, and the page-level values its ``get_context`` set for the chrome such as the title) and dropped when
Frappe clears the website cache (``website_clear_cache`` hook, Website / Portal Settings, theme, migrate,
``bench clear-cache``). It is rendered without the page's data or the user's name (Frappe's own
``fullname``/``user_image``/``user``), so it holds nothing of any user. On every request, hit or miss,
the page's ``get_context`` runs (sign-in, two-factor session, role and school checks, the school's data)
and the page's own blocks are rendered with it; the CSRF token is added per request by Frappe.

**The page's own template is autoescaped by construction.** Frappe's Jinja environment does not escape (its
chrome prints trusted HTML: web blocks, ``head_include``, the boot JSON), so a page that forgets ``| e`` on a
child's name prints a desk user's text as markup in the school user's browser. Here the page's blocks are
compiled and rendered in an overlay of Frappe's environment with ``autoescape=True``: every ``{{ … }}`` of
every portal page (text, attributes, ``data-*``, the ``<title>`` block) is escaped without the template
asking, and ``| e`` stays harmless (escaped once). The chrome is still Frappe's, rendered as Frappe renders
it without the page's data; the ``<title>`` is always the page's (escaped), never Frappe's default
``{{ title | striptags }}``, which turns ``&lt;`` back into ``<``.

**Frappe's icon sprites are loaded as static assets** (``sprites_as_assets``): the chrome carries a
placeholder and a small script instead of the 320 KB of inline SVG, so a page is ~20 KB instead of ~340 KB.
"""

import re
import threading
from collections import OrderedDict
from hashlib import sha1

import frappe
from frappe import _
from frappe.utils import get_build_version
from frappe.website import path_resolver
from frappe.website.page_renderers.template_page import TemplatePage
from frappe.website.path_resolver import resolve_path as frappes_resolve_path
from frappe.website.path_resolver import resolve_redirect as frappes_resolve_redirect
from jinja2.bccache import Bucket, BytecodeCache
from markupsafe import escape

from virtual_school.portal import header

PORTAL_ROUTE = "school-portal"


def _environment_key(environment) -> str:
	"""What the compiled code depends on besides the source: the same for every request of a site."""
	return repr(
		(
			type(environment).__mro__[1].__name__,
			environment.sandboxed,
			environment.is_async,
			environment.optimized,
			repr(environment.autoescape),
			getattr(environment.finalize, "__qualname__", environment.finalize),
			environment.block_start_string,
			environment.variable_start_string,
			environment.comment_start_string,
			environment.line_statement_prefix,
			environment.trim_blocks,
			environment.lstrip_blocks,
			environment.newline_sequence,
			environment.keep_trailing_newline,
			sorted(environment.extensions),
		)
	)


class CompiledTemplates(BytecodeCache):
	"""Compiled template code kept in this process (a Jinja bytecode cache that keeps the code object itself).

	Templates loaded by name (``extends``, ``include``) go through Jinja's bytecode cache protocol: the
	bucket's checksum is the source's, so a changed file is compiled again. Page sources rendered from a
	string are keyed by the source text itself.
	"""

	def __init__(self, limit: int = 500):
		self.limit = limit
		self._code: dict[str, tuple[str, object]] = {}
		self._lock = threading.Lock()

	def get_bucket(self, environment, name, filename, source) -> Bucket:
		key = sha1(f"{_environment_key(environment)}|{name}|{filename}".encode()).hexdigest()
		bucket = Bucket(environment, key, self.get_source_checksum(source))
		self.load_bytecode(bucket)
		return bucket

	def load_bytecode(self, bucket: Bucket) -> None:
		entry = self._code.get(bucket.key)
		if entry and entry[0] == bucket.checksum:
			bucket.code = entry[1]

	def dump_bytecode(self, bucket: Bucket) -> None:
		with self._lock:
			if len(self._code) >= self.limit:
				self._code.clear()
			self._code[bucket.key] = (bucket.checksum, bucket.code)

	def from_string(self, environment, source: str):
		"""Like ``environment.from_string(source)``, compiling the source only the first time."""
		key = sha1(f"{_environment_key(environment)}|<string>".encode() + source.encode()).hexdigest()
		entry = self._code.get(key)
		if entry is None:
			entry = (key, environment.compile(source))
			with self._lock:
				if len(self._code) >= self.limit:
					self._code.clear()
				self._code[key] = entry
		return environment.template_class.from_code(environment, entry[1], environment.make_globals(None))

	def clear(self) -> None:
		with self._lock:
			self._code.clear()


COMPILED = CompiledTemplates()


def use_compiled_templates():
	"""This request's Jinja environment reuses the process's compiled templates; returns the environment."""
	environment = frappe.get_jenv()
	environment.bytecode_cache = COMPILED
	return environment


def autoescaping(environment):
	"""An overlay of this request's environment that escapes every expression: the portal pages' own code.

	Templates it loads by name (``include``, ``import``) are compiled autoescaped too; the page's chrome
	(``extends``) is rendered from Frappe's environment, never from this one.
	"""
	overlay = environment.overlay(autoescape=True)
	overlay.bytecode_cache = COMPILED
	return overlay


def is_portal_path(path: str) -> bool:
	return path == PORTAL_ROUTE or path.startswith(PORTAL_ROUTE + "/")


def resolve_path(path: str) -> str:
	"""``website_path_resolver`` hook: Frappe's own ``resolve_path``, except for the portal's pages.

	For every path Frappe matches its website route rules by building a werkzeug routing map on each
	request (~3 ms); ``/school-portal`` paths are the portal's own ``www`` pages, which no route rule
	maps, so they resolve to themselves as Frappe would resolve them. Redirects (Website Route Redirect,
	``website_redirects``) are still applied by Frappe before this.
	"""
	page = path.removesuffix(".html")
	if is_portal_path(page):
		frappe.local.path = page
		return page
	return frappes_resolve_path(path)


# Frappe's redirect rules
# -----------------------
class RecentItems:
	"""A bounded mapping per worker process, least recently used first out (the portal's process caches)."""

	def __init__(self, limit: int):
		self.limit = limit
		self._items: OrderedDict = OrderedDict()
		self._lock = threading.Lock()

	def get(self, key):
		with self._lock:
			item = self._items.get(key)
			if item is not None:
				self._items.move_to_end(key)
			return item

	def put(self, key, item) -> None:
		with self._lock:
			self._items[key] = item
			self._items.move_to_end(key)
			while len(self._items) > self.limit:
				self._items.popitem(last=False)

	def clear(self) -> None:
		with self._lock:
			self._items.clear()


NOT_REDIRECTED = RecentItems(limit=2048)


def resolve_redirect(path: str, query_string=None) -> None:
	"""Frappe's ``resolve_redirect``, remembering per worker which portal paths no rule redirects.

	Before any app hook runs, Frappe's path resolver reads every Website Route Redirect row with
	``frappe.get_all`` on each request and matches the rules to the path (~1 ms, an eighth of the portal's
	home page); it caches only the paths that do redirect. Whether a path redirects changes only with the
	rules: Website Settings' redirects (saving them clears the website cache) or an app's
	``website_redirects`` hook (installed by a migrate or ``bench clear-cache``, which clear it too). So for
	``/school-portal`` paths the answer "no redirect" is kept per (website cache version, path, query
	string) and asked again after any website cache clear; a path a rule matches goes to Frappe every time,
	which raises ``frappe.Redirect`` as before. Other paths are Frappe's unchanged.
	"""
	if not is_portal_path(path.strip("/ ").removesuffix(".html")):
		return frappes_resolve_redirect(path, query_string)
	key = (frappe.local.site, shell_version(), path, bytes(query_string or b""))
	if NOT_REDIRECTED.get(key):
		return None
	frappes_resolve_redirect(path, query_string)  # raises frappe.Redirect when a rule matches
	NOT_REDIRECTED.put(key, True)


def remember_portal_paths_without_redirect():
	"""``before_request`` hook: Frappe's path resolver uses ``resolve_redirect`` above (once per process)."""
	if path_resolver.resolve_redirect is not resolve_redirect:
		path_resolver.resolve_redirect = resolve_redirect


# The page chrome
# ---------------
SHELL_VERSION_KEY = "virtual_school:portal_shell_version"
# Values a page's get_context may set that the chrome (web.html, base.html) shows: part of the shell's key.
CHROME_KEYS = frozenset(
	(
		"title",
		"description",
		"show_sidebar",
		"no_breadcrumbs",
		"add_breadcrumbs",
		"parents",
		"no_header",
		"no_cache",
		"full_width",
		"sidebar_right",
		"sidebar_columns",
		"body_class",
		"http_status_code",
		"safe_render",
	)
)
# Frappe's per-user values (TemplatePage.set_user_info): never in the shell, set again on every request.
USER_KEYS = ("fullname", "user_image", "user")
EXTENDS = re.compile(r"{%-?\s*extends\s[^%]*-?%}")
MARK = "\x00vs-portal-block:{}\x00"
END_MARK = "\x00/vs-portal-block:{}\x00"


# Frappe's icon sprites
# ---------------------
# templates/base.html includes Frappe's two icon sprites inline in every page: ~320 KB of SVG symbols of the
# ~340 KB of a portal page, sent again with every page view. Portal pages load them as static assets instead:
# the browser fetches each once and keeps it (Frappe serves /assets with a cache lifetime, nginx in
# production), and a small script puts each sprite where Frappe's include was, so ``<use href="#icon-…">``
# in the page and in Frappe's scripts finds its symbol as before. Nothing else of the page changes.
ICON_SPRITES = ("public/icons/timeless/icons.svg", "public/icons/espresso/icons.svg")
SPRITE_HOLDER = '<div class="vs-icon-sprite" data-src="{}" hidden></div>'
SPRITE_SCRIPT = (
	"<script>"
	'document.querySelectorAll("div.vs-icon-sprite[data-src]").forEach(function (holder) {'
	'fetch(holder.getAttribute("data-src"))'
	'.then(function (response) { return response.ok ? response.text() : ""; })'
	'.then(function (svg) { if (svg.indexOf("<svg") !== -1) holder.outerHTML = svg; })'
	".catch(function () {});"
	"});"
	"</script>"
)


def sprite_url(name: str) -> str:
	"""Where Frappe's sprite ``public/icons/…`` is served, with the build as its version."""
	return f"/assets/frappe/{name.removeprefix('public/')}?v={get_build_version()}"


def sprites_as_assets(environment, html: str) -> str:
	"""The page with Frappe's inline icon sprites replaced by placeholders that load them as assets."""
	holder = None
	for name in ICON_SPRITES:
		inline = environment.get_template(name).render()  # exactly what base.html's include writes
		if inline.strip() and inline in html:
			holder = SPRITE_HOLDER.format(sprite_url(name))
			html = html.replace(inline, holder, 1)
	if holder:
		html = html.replace(holder, holder + SPRITE_SCRIPT, 1)
	return html


SHELLS = RecentItems(limit=48)  # rendered page chrome: (shell, its base context) by key


def shell_version() -> str:
	"""A token that changes whenever Frappe clears the website cache (or all of a site's cache)."""
	version = frappe.cache.get_value(SHELL_VERSION_KEY)
	if not version:
		version = frappe.generate_hash(length=12)
		frappe.cache.set_value(SHELL_VERSION_KEY, version)
	return version


def clear_shells(path=None):
	"""``website_clear_cache`` hook: every worker's shells become stale (their key holds the old version)."""
	frappe.cache.delete_value(SHELL_VERSION_KEY)
	SHELLS.clear()
	NOT_REDIRECTED.clear()


def _digest(value) -> str:
	return sha1(repr(value).encode()).hexdigest()


def _with_markers(function, name):
	def render(context):
		yield MARK.format(name)
		yield from function(context)
		yield END_MARK.format(name)

	return render


def _placeholder(name):
	def render(context):
		yield MARK.format(name)

	return render


class SchoolPortalPage(TemplatePage):
	"""``/school-portal`` and its sub-pages: Frappe's TemplatePage, with compiled templates reused and the
	page chrome rendered once per worker (see the module's docstring)."""

	def can_render(self):
		return is_portal_path(self.path) and bool(super().can_render())

	def run_pymodule_method(self, method_name):
		# Remember what the page's own get_context set: the page's data, kept out of the shared chrome.
		before = dict(self.context)
		result = super().run_pymodule_method(method_name)
		if method_name == "get_context":
			self.page_keys = {
				key for key, value in self.context.items() if key not in before or before[key] is not value
			} | set(result or ())
		return result

	def get_html(self):
		# Every request: the page's properties and its get_context (sign-in, school checks, data).
		self.context = frappe._dict()
		self.page_keys = set()
		self.set_pymodule()
		self.update_context()
		self.setup_template_source()
		self.load_colocated_files()
		self.set_properties_from_source()
		page = self.context
		data_keys = self.page_keys - CHROME_KEYS

		environment = use_compiled_templates()
		safe_render = True if page.safe_render is None else page.safe_render
		if safe_render and ".__" in self.source:  # as frappe.render_template
			frappe.throw(_("Illegal template"))
		template = COMPILED.from_string(environment, self.source)
		page_blocks = list(template.blocks)

		key = self.shell_key(page, data_keys)
		cached = SHELLS.get(key)
		if cached is None:
			shell, base_context = self.render_shell(template, page, data_keys)
			SHELLS.put(key, (shell, base_context))
		else:
			shell, base_context = cached
			self.context = frappe._dict(base_context)
			self.context.update(page)
			self.set_user_info()
			self.set_title_with_prefix()
			self.context._context_dict = self.context

		html = shell
		escaping = autoescaping(environment)
		blocks = self.render_page_blocks(escaping, page_blocks)
		# every page's content opens with the council, the school and the last action's message (header.py)
		if "page_content" in blocks:
			blocks["page_content"] = header.render(escaping, self.context) + blocks["page_content"]
		for name, output in blocks.items():
			html = html.replace(MARK.format(name), output)
		return self.update_toc(html)

	def shell_key(self, page, data_keys) -> str:
		user = frappe.session.user
		time_zone, default_app = frappe.get_cached_value("User", user, ["time_zone", "default_app"])
		request = getattr(frappe.local, "request", None)
		return _digest(
			(
				frappe.local.site,
				request.host if request else None,
				self.path,
				frappe.local.lang,
				sorted(frappe.get_roles(user)),
				time_zone,
				default_app,
				[
					frappe.get_system_settings(field)
					for field in (
						"time_zone",
						"date_format",
						"time_format",
						"number_format",
						"float_precision",
						"first_day_of_the_week",
						"currency",
					)
				],
				shell_version(),
				sha1(self.source.encode()).hexdigest(),
				sorted((name, _digest(value)) for name, value in page.items() if name not in data_keys),
			)
		)

	def render_shell(self, template, page, data_keys) -> tuple[str, dict]:
		"""Frappe's page for this request with the page's own blocks left as placeholders, rendered from a
		context that holds neither the page's data nor the user's name; and that context, to reuse."""
		self.init_context()  # website settings and boot data, as TemplatePage
		self.context.update({name: value for name, value in page.items() if name not in data_keys})
		self.post_process_context()
		for name in USER_KEYS:
			self.context.pop(name, None)
		base_context = dict(self.context)
		context = template.new_context(self.context)
		for name in {*template.blocks, "title"}:  # the title is always the page's, escaped
			context.blocks[name] = [_placeholder(name)]
		shell = sprites_as_assets(template.environment, "".join(template.root_render_func(context)))
		# the context of this request's blocks: the shell's, the page's data and the user's name
		self.context.update(page)
		self.set_user_info()
		self.context._context_dict = self.context
		return shell, base_context

	def set_user_info(self):
		"""As Frappe's (the user's name and picture for the navbar), from the cached User document."""
		user = frappe.session.user
		first_name, last_name, avatar = frappe.get_cached_value(
			"User", user, ["first_name", "last_name", "user_image"]
		)
		self.context["fullname"] = " ".join(filter(None, [first_name, last_name]))
		self.context["user_image"] = avatar
		self.context["user"] = user

	def render_page_blocks(self, environment, names) -> dict[str, str]:
		"""The page template's own blocks rendered with this request's context (without its layout), in the
		autoescaping environment; a page without a ``title`` block gets its ``title`` escaped."""
		template = COMPILED.from_string(environment, EXTENDS.sub("", self.source, count=1))
		context = template.new_context(self.context)
		for name in names:
			if context.blocks.get(name):
				context.blocks[name] = [_with_markers(context.blocks[name][0], name)]
		output = "".join(template.root_render_func(context))
		blocks = {}
		for name in names:
			start, end = MARK.format(name), END_MARK.format(name)
			if start in output:
				inner = output[output.index(start) + len(start) : output.index(end)]
				blocks[name] = re.sub("\x00/?vs-portal-block:[^\x00]*\x00", "", inner)
		if "title" not in blocks:
			blocks["title"] = str(escape(self.context.title or ""))
		return blocks
