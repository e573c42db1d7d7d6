"""Numbers past what a database column holds, typed where an id, an amount or a date goes, get a
sentence on both databases: PostgreSQL's 32-bit ids refused 3000000000 with an error before
(`/paid undo 3000000000`)."""

import pytest

from diary.refusal import Refusal
from tests.security.test_refusals_change_nothing import ALICE, BOB, NOW, a_workspace_with_books, say

BIG = "3000000000"
LINES = [
    f"revoke {BIG}", f"accept {BIG}", f"answer {BIG} hi", f"withdraw {BIG}", f"confirm {BIG}", f"approve manual {BIG}",
    f"decline {BIG}", f"approve late {BIG}", f"decline late {BIG}", f"paid undo {BIG}", f"timesheet contract={BIG}",
    f"clockin contract={BIG} x", f"contract show contract={BIG}", "revoke 99999999999999999999",
    "contract limit 99999999999999", "contract rate 99999999999999999", "bonus @bob 99999999999999999999 x",
    "contract set weekly=99999999999999999999", "contract set min=9999999999", "contract set idle=99999999999",
    "manual 09:00-10:00 9999-12-31 x", "diary 9999-12-31", "timesheet 9999-W52", "paid 9999-W52 @bob", "diary 0001-01-01",
]


@pytest.mark.parametrize("line", LINES)
def test_a_number_too_large_for_the_database_is_answered(ctx, line):
    a_workspace_with_books(ctx)
    for who in (ALICE, BOB):
        answer = say(ctx, who, line, NOW)
        assert answer is not None and not isinstance(answer, BaseException)
        if isinstance(answer, Refusal):
            assert answer.message
