"""Reference data and living drafts: counties, townships, offices, departments,
categories, reference catalogues, and each township's three-part duty list.

Every model staff edit keeps its history (django-simple-history); the acting
user is recorded by `HistoryRequestMiddleware`. Per-part rules of a duty item
live in `DutyItem.clean()` so the back office, the workbench and imports all
apply the same ones.
"""

from ..columns import Part  # noqa: F401 (importable from here, as before)
from .claims import DroppedEntry  # noqa: F401
from .items import (  # noqa: F401
    ENTRY_COLUMNS,
    ENTRY_COMPARED_NAMES,
    ENTRY_TEXT_COLUMNS,
    FROZEN_ORDER,
    LOCKED_STAGES,
    NAMED_BY_TEXT,
    PUBLISHED_ORDER,
    STAGE_RULES,
    Catalogue,
    CatalogueEntry,
    DutyItem,
    DutyItemQuerySet,
    DutyList,
    FrozenItem,
    PartFields,
    Stage,
    StageRule,
    list_order,
    naming_departments,
    next_state,
    stages_where,
)
from .job import Job  # noqa: F401
from .membership import Membership  # noqa: F401
from .quality import QualityPolicy, VaguePhrase  # noqa: F401
from .reference import (  # noqa: F401
    Category,
    County,
    Department,
    NameAlias,
    Office,
    Township,
    county_code_validator,
    township_code_validator,
)
from .regions import (  # noqa: F401
    City,
    Province,
    RegionMembership,
    city_code_validator,
    province_code_validator,
)

# isort: split
# Models kept beside the services of their concern, registered with the app here (last: they import
# the models above).
from ..notes import DraftNote  # noqa: E402, F401
from ..synonyms import Synonym  # noqa: E402, F401
