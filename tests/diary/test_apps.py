"""Time per app and window title: how a week's counted minutes are shared among the samples.

Rule: docs/rules.md#apps
"""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from diary.apps import TOP_APPS, Sample, SlotWindows, tally, window_on_during
from diary.changes import Change

CODE, FOX = Sample("code", "main.py"), Sample("firefox", "Pull request #12")
samples = st.one_of(st.none(), st.sampled_from([CODE, FOX, Sample("", ""), Sample("term", "")]))
slots = st.builds(
    SlotWindows, counted=st.integers(0, 10), tracked=st.integers(0, 10), window_on=st.booleans(),
    windows=st.one_of(st.none(), st.lists(samples, min_size=10, max_size=10)), window=samples,
)


@given(st.lists(slots, max_size=30))
def test_the_apps_and_what_has_no_window_add_up_to_the_counted_time(week):
    result = tally(week)
    assert result.counted_seconds == 60 * sum(s.counted for s in week)
    shown = sum(a.seconds for a in result.apps) + result.other_apps
    assert abs(shown + result.unrecorded - result.counted_seconds) <= len(result.apps) + 1  # rounding to the second
    for app in result.apps:
        assert sum(t.seconds for t in app.titles) + app.other_titles <= app.seconds + len(app.titles) + 1


@given(st.lists(slots, max_size=30))
def test_nothing_is_attributed_to_a_window_in_a_slot_begun_under_window_off(week):
    off = [SlotWindows(s.counted, s.tracked, False, s.windows, s.window) for s in week]
    assert tally(off).apps == () and tally(off).unrecorded == tally(off).counted_seconds


def test_an_old_agents_one_window_stands_for_its_whole_slot_and_a_new_agents_minutes_for_theirs():
    result = tally([SlotWindows(10, 10, True, window=FOX), SlotWindows(6, 6, True, windows=[CODE] * 4 + [FOX] * 2 + [None] * 4)])
    assert [(a.app, a.seconds) for a in result.apps] == [("firefox", 720), ("code", 240)]
    assert result.unrecorded == 0 and result.share(720) == 75


def test_unnamed_apps_and_titles_are_named_and_the_list_is_cut_after_the_top_apps():
    many = [SlotWindows(10, 10, True, window=Sample(f"app{i:02d}", "")) for i in range(TOP_APPS + 3)]
    result = tally(many + [SlotWindows(10, 10, True, window=Sample("", ""))])
    assert len(result.apps) == TOP_APPS and result.other_apps == 4 * 600
    assert result.apps[0].titles[0].title == "(no title)"
    assert [a.app for a in result.apps][:2] == ["(unnamed app)", "app00"]  # ties in time: by name


def test_window_on_at_any_instant_of_the_week_counts():
    created, monday, next_monday = (datetime(2026, 11, d, tzinfo=UTC) for d in (1, 16, 23))
    off_then_on = [Change(created, False), Change(datetime(2026, 11, 18, tzinfo=UTC), True)]
    assert window_on_during(off_then_on, monday, next_monday)
    assert not window_on_during(off_then_on, datetime(2026, 11, 9, tzinfo=UTC), monday)
    assert window_on_during([Change(created, True), Change(datetime(2026, 11, 10, tzinfo=UTC), False)],
                            datetime(2026, 11, 9, tzinfo=UTC), monday)
