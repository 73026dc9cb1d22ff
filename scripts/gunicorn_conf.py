"""gunicorn settings for the demo and the HTTP tests: one site, on the Unix socket scripts/lib.sh's serve_site
gives it, behind nginx on 127.0.0.1 (which also routes /socket.io to Frappe's realtime server).

Frappe's development server (`bench serve`) listens on 0.0.0.0 and shows tracebacks to every visitor.
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
