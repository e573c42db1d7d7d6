import pytest

from diary.limits import apply_limit


@pytest.mark.parametrize(
    ("counted", "limit", "expected"),
    [
        ([10, 10, 10], None, [(10, 0), (10, 0), (10, 0)]),
        ([10, 10, 10], 30, [(10, 0), (10, 0), (10, 0)]),
        ([10, 10, 10], 25, [(10, 0), (10, 0), (5, 5)]),  # the slot that crosses the limit is split
        ([10, 10, 10], 20, [(10, 0), (10, 0), (0, 10)]),
        ([10, 10], 0, [(0, 10), (0, 10)]),
        ([7, 10, 4], 15, [(7, 0), (8, 2), (0, 4)]),
        ([0, 10, 0, 10], 10, [(0, 0), (10, 0), (0, 0), (0, 10)]),
        ([], 40, []),
    ],
)
def test_counted_time_past_the_limit_is_over(counted, limit, expected):
    assert apply_limit(counted, limit) == expected


def test_forty_hour_limit_and_forty_two_hours_counted():
    split = apply_limit([10] * (42 * 6), 40 * 60)
    billable, over = sum(b for b, _ in split), sum(o for _, o in split)
    assert (billable, over, len(split)) == (40 * 60, 2 * 60, 42 * 6)
    assert split[: 40 * 6] == [(10, 0)] * (40 * 6)  # the earliest hours are the billed ones
