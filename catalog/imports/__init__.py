"""Excel in: read the workbooks counties already keep into a township's draft.

One engine serves the upload page and `manage.py import_lists`:
`reading` turns a file into grids of cell text (refusing bad files with a
Chinese message), `layout` finds the tables in those grids whatever their
layout, `matching` resolves names and compares the rows with the draft, and
`plan_import` / `apply_import` tie them together. Nothing is written unless
the whole file is clean and the user confirms.
"""

from .matching import ImportPlan, apply_import, plan_import
from .reading import ImportFileError

__all__ = ["ImportFileError", "ImportPlan", "apply_import", "plan_import"]
