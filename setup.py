"""Shim for tooling that still calls setup.py; the real metadata is in pyproject.toml (flit)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

try:
	import tomllib
except ModuleNotFoundError:  # Python 3.10
	import tomli as tomllib

here = Path(__file__).parent
project = tomllib.loads((here / "pyproject.toml").read_text())["project"]
version = re.search(r'__version__ = "([^"]+)"', (here / "virtual_school" / "__init__.py").read_text())[1]

setup(
	name=project["name"],
	version=version,
	description=project["description"],
	packages=find_packages(exclude=["tests", "tests.*"]),
	include_package_data=True,
	zip_safe=False,
	install_requires=project["dependencies"],
)
