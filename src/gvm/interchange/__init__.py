"""Import and export of interchange bundles (SPEC 4): CSV folders and .xlsx workbooks."""

from gvm.interchange.errors import BundleError, Problem
from gvm.interchange.reader import BundleStream, read_bundle
from gvm.interchange.writer import BundleCsvWriter, write_bundle, write_xlsx

__all__ = ["BundleCsvWriter", "BundleError", "BundleStream", "Problem", "read_bundle",
           "write_bundle", "write_xlsx"]
