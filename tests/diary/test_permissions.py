import pytest

from diary.permissions import Action, check, role_of
from diary.terms import Role

A = Action
FREELANCER_MAY = {A.CLOCK, A.MEMO, A.MANUAL, A.DELETE_SLOT, A.PAIR, A.ANSWER_DISPUTE, A.VIEW}
CLIENT_MAY = {A.MANAGE_CONTRACT, A.APPROVE, A.DISPUTE, A.BONUS, A.DECIDE_MANUAL, A.DECIDE_LATE, A.PAY, A.VIEW}
MAY = {Role.FREELANCER: FREELANCER_MAY, Role.CLIENT: CLIENT_MAY, Role.NONE: set()}


@pytest.mark.parametrize(("role", "action"), [(role, action) for role in Role for action in Action])
def test_each_party_may_do_only_its_own_part(role, action):
    refusal = check(role, action)
    assert (refusal is None) == (action in MAY[role])
    if refusal is not None:
        assert refusal.code == "forbidden"


@pytest.mark.parametrize(
    ("role", "action", "message"),
    [
        (Role.FREELANCER, A.APPROVE, "Only the client of this contract can approve its hours."),
        (Role.FREELANCER, A.BONUS, "Only the client of this contract can pay a bonus on it."),
        (Role.FREELANCER, A.PAY, "Only the client of this contract can mark its weeks paid."),
        (Role.CLIENT, A.CLOCK, "Only the freelancer of this contract can clock in and out on it."),
        (Role.CLIENT, A.ANSWER_DISPUTE, "Only the freelancer of this contract can accept or answer a dispute of its hours."),
        (Role.NONE, A.VIEW, "You are not a party to this contract."),
        (Role.NONE, A.CLOCK, "You are not a party to this contract."),
    ],
)
def test_a_refusal_names_who_may(role, action, message):
    assert check(role, action).message == message


@pytest.mark.parametrize(
    ("member", "expected"),
    [(1, Role.CLIENT), (2, Role.FREELANCER), (3, Role.NONE)],
)
def test_role_of_a_member(member, expected):
    assert role_of(member, client_id=1, freelancer_id=2) == expected


def test_action_values_are_lowercase_names():
    assert all(action.value == action.name.lower() for action in Action)
