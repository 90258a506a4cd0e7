"""三上三下: how a county runs the review, and what it leaves behind.

Only `review/workflow.py` moves a list from one stage to the next; every move
writes a `StageChange`. A `Submission` keeps the list exactly as the township
submitted it, as rows of its own, whatever the township edits afterwards.
Comments refer to a submission's frozen text through the item's stable key.
Domain events are rows of their own (a window opened, a comment answered, a
dispute decided, a list approved); they are written only by
`review/services.py` and `review/workflow.py`.

Split by concern: `stages` (settings, stage log, submissions, approval), `comments` (rounds,
invitations, comments and replies), `disputes`, `inbox` (notifications, digests).
"""

from .comments import (  # noqa: F401
    INSIST_NOTE,
    Comment,
    CommentWindow,
    DeadlineExtension,
    Invitation,
    Reply,
    ReplyTemplate,
)
from .disputes import Decision, Dispute  # noqa: F401
from .inbox import Digest, Notification  # noqa: F401
from .stages import Approval, ReviewPolicy, StageChange, Submission, SubmittedItem  # noqa: F401
