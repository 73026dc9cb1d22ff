"""gunicorn settings for the demo and the HTTP tests: one site, bound to loopback by the caller.

Frappe's development server (`bench serve`) listens on 0.0.0.0; gunicorn lets us bind 127.0.0.1.
Production uses `bench setup production` (nginx + supervisor + gunicorn) instead; see README.
"""

import os

import frappe.app

# Every request is for this site, whatever Host header it carries (as `bench --site S serve` does).
frappe.app._site = os.environ["VS_SITE"]
frappe.app._sites_path = "."

workers = int(os.environ.get("VS_WEB_WORKERS", "2"))
threads = int(os.environ.get("VS_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 120
graceful_timeout = 10
