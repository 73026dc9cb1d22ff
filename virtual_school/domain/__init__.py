"""Pure domain rules of the Virtual School (no Frappe imports), unit-tested without a site."""
