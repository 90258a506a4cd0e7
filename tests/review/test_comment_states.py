"""Comments and adjustment requests change state through small tables (`Comment.MOVES`,
`Adjustment.MOVES`), tested as tables: every event from every state, allowed or refused."""

import pytest
from django.core.exceptions import ValidationError

from publication.models import Adjustment
from review.models import Comment

State = Comment.State

COMMENT_EXPECTED = {
    ("accept", State.OPEN): State.SETTLED,
    ("accept", State.ANSWERED): State.SETTLED,
    ("accept", State.SETTLED): State.SETTLED,
    ("answer", State.OPEN): State.ANSWERED,
    ("answer", State.ANSWERED): State.ANSWERED,
    ("answer", State.SETTLED): State.ANSWERED,
    ("acknowledge", State.ANSWERED): State.SETTLED,
    ("insist", State.ANSWERED): State.OPEN,
    ("dispute", State.OPEN): State.DISPUTED,
    ("dispute", State.ANSWERED): State.DISPUTED,
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("event", sorted(Comment.MOVES))
def test_every_comment_event_from_every_state(event, state):
    comment = Comment(state=state)
    expected = COMMENT_EXPECTED.get((event, state))
    if expected is None:
        with pytest.raises(ValidationError, match=f"这条意见处于“{state.label}”状态，不能"):
            comment.move(event)
        assert comment.state == state
    else:
        comment.move(event)
        assert comment.state == expected


@pytest.mark.parametrize("state", list(Adjustment.State))
@pytest.mark.parametrize("event", sorted(Adjustment.MOVES))
def test_every_adjustment_event_from_every_state(event, state):
    adjustment = Adjustment(state=state)
    expected = {"approve": Adjustment.State.APPROVED, "reject": Adjustment.State.REJECTED}[event]
    if state == Adjustment.State.FILED:
        adjustment.move(event)
        assert adjustment.state == expected
    else:
        with pytest.raises(ValidationError, match="该申请处于"):
            adjustment.move(event)
        assert adjustment.state == state
