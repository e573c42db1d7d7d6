"""The running agent samples the focused window once a minute under window=on, under Xvfb: windows
focused one after the other show up in the minutes they had focus, a private app's minutes carry
no sample, and with window=off nothing of the window is sent.

Rule: docs/rules.md#apps
"""

from tests.agent.test_private_apps import agent, desktop, focus_titled_window  # noqa: F401 - fixtures

REVIEW, NOTES, BANK = "Pull request #12 - review", "Release notes - draft", "Online Banking - statements"


def titles(server) -> list[str | None]:
    """Every minute's sample of every slot received, in order; None: a minute without one."""
    found = []
    for key in sorted(server.api.slots):
        windows = server.api.slots[key].report.windows or []
        found += [None if w is None else w.title for w in windows]
    return found


def test_each_minute_carries_the_window_focused_in_it(agent, server, desktop, xdotool):  # noqa: F811
    (agent.home).mkdir(parents=True, exist_ok=True)
    (agent.home / "private-apps.txt").write_text("*banking*\n")
    server.api.clock_in("apps", slot_seconds=2, idle_minutes=100, window=True)  # a "minute" is 0.2 s
    focus_titled_window(desktop, xdotool, REVIEW)
    agent.start().wait_tracking()
    assert server.wait_until(lambda: REVIEW in titles(server), seconds=20)
    focus_titled_window(desktop, xdotool, NOTES)
    assert server.wait_until(lambda: NOTES in titles(server), seconds=20)
    focus_titled_window(desktop, xdotool, BANK)
    seen = len(titles(server))
    assert server.wait_until(lambda: len(titles(server)) >= seen + 20, seconds=20)  # two more slots
    after = titles(server)[seen:]
    assert None in after and BANK not in titles(server)
    assert b"Banking" not in b"".join(server.api.bodies)
    first = titles(server)
    assert first.index(REVIEW) < first.index(NOTES)  # in the order they had focus
    assert {w.app for r in server.api.slots.values() for w in (r.report.windows or []) if w} == {"firefox"}
    agent.stop()


def test_window_off_sends_no_samples_at_all(agent, server, desktop, xdotool):  # noqa: F811
    server.api.clock_in("no windows", slot_seconds=2, idle_minutes=100, window=False)
    focus_titled_window(desktop, xdotool, REVIEW)
    agent.start().wait_tracking()
    assert server.wait_until(lambda: len(server.api.slots) >= 2, seconds=20)
    assert all(r.report.windows is None and r.report.window is None for r in server.api.slots.values())
    assert b"Pull request" not in b"".join(server.api.bodies)
    agent.stop()
