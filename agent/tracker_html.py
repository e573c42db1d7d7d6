"""The tracker window's HTML: one page, drawn on the device, with no external asset.

A few lines of plain JavaScript refresh the live part every few seconds; without JavaScript the
page still works (every action is a form, and reloading shows the latest).
"""

from datetime import datetime
from html import escape

from agent.controls import TrackerView
from agent.wire import Week
from diary.terms import SLOT_MINUTES

REFRESH_MS = 3000

STYLE = """
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:560px;margin:0 auto;padding:12px}
section{background:#fff;border-radius:8px;padding:10px 14px;margin:10px 0;box-shadow:0 1px 2px #0002}
h1{font-size:18px;margin:4px 0}h2{font-size:13px;text-transform:uppercase;color:#667;margin:0 0 6px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:#aab;margin-right:6px}
.tracking .dot{background:#1a9e4b}.private .dot{background:#7a4bd1}.offline{color:#a33}
button{font:inherit;padding:4px 12px;border-radius:6px;border:1px solid #889;background:#fff;cursor:pointer}
button.danger{border-color:#b33;color:#b33}input[type=text]{font:inherit;width:70%}
textarea{font:inherit;width:100%;box-sizing:border-box}
img.shot{width:100%;border:1px solid #ccd;border-radius:4px}meter{width:100%}
.notice{background:#eef6ff;border-left:4px solid #36c;padding:6px 10px}.muted{color:#667}
"""

SCRIPT = f"""
setInterval(function(){{
  fetch('live',{{cache:'no-store'}}).then(function(r){{return r.ok?r.text():null}})
  .then(function(t){{if(t!==null)document.getElementById('live').innerHTML=t}}).catch(function(){{}});
}},{REFRESH_MS});
"""


def hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def page(view: TrackerView, notice: str = "") -> str:
    said = f'<p class="notice" id="notice">{escape(notice)}</p>' if notice else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Tally tracker</title><style>{STYLE}</style></head><body><main>{said}"
        f'<div id="live">{live(view)}</div>{memo_form(view)}{private_apps_form(view)}{webcam_form(view)}'
        f"</main><script>{SCRIPT}</script></body></html>"
    )


def live(view: TrackerView) -> str:
    return "".join((held(view), status(view), this_slot(view), week(view.week), queue(view), last_shot(view)))


def held(view: TrackerView) -> str:
    """A refused offline clock-in: why, and its slots kept here until the freelancer deletes them."""
    if not view.notice:
        return ""
    button = ('<form method="post" action="held"><button class="danger" id="delete-held">'
              f"Delete the {view.held} kept slot(s)</button></form>") if view.held else ""
    return f'<section id="held"><p class="notice">{escape(view.notice)}</p>{button}</section>'


def status(view: TrackerView) -> str:
    if view.cannot_track:
        return (f'<section class="idle" id="state"><h1><span class="dot"></span>Cannot track here</h1>'
                f'<p id="cannot-track">This is a {escape(view.cannot_track)} session: the agent can take no '
                "screenshot and count no input. Log in with an X11 session (on the login screen pick the "
                "desktop's “on Xorg” / X11 session) and run tally-agent again. Until then the server refuses "
                "/clockin.</p></section>")
    if view.private:
        look, head = "private", "Private — nothing leaves this computer"
    elif view.tracking:
        look, head = "tracking", f"Tracking {escape(view.contract)}"
    else:
        look, head = "idle", "Not tracking"
    memo = f'<p id="memo">Memo: {escape(view.memo)}</p>' if view.tracking and view.memo else ""
    return (f'<section class="{look}" id="state"><h1><span class="dot"></span>{head}</h1>{memo}'
            f"{clock_buttons(view)}{private_button(view)}</section>")


def clock_buttons(view: TrackerView) -> str:
    if view.tracking:
        return '<form method="post" action="clockout"><button id="clockout">Clock out</button></form>'
    picker = ""
    if len(view.contracts) > 1:
        options = "".join(f'<option value="{cid}">{escape(title)}</option>' for cid, title in view.contracts)
        picker = f'<select name="contract_id" id="contract">{options}</select> '
    return f'<form method="post" action="clockin">{picker}<button id="clockin">Clock in</button></form>'


def private_button(view: TrackerView) -> str:
    label, value = ("Private off", "off") if view.private else ("Private on", "on")
    return (f'<form method="post" action="private"><input type="hidden" name="switch" value="{value}">'
            f'<button id="private">{label}</button></form>')


def this_slot(view: TrackerView) -> str:
    if not view.tracking:
        return ""
    return (f'<section id="slot"><h2>This slot</h2><span id="active">{view.active_minutes}/{SLOT_MINUTES}</span> '
            f"active minutes · {view.keys} keys · {view.mouse} mouse events</section>")


def week(figures: Week | None) -> str:
    if figures is None:
        return ""
    limit = f" of {hours(figures.limit)}" if figures.limit is not None else " (no weekly limit)"
    meter = (f'<meter min="0" max="{figures.limit}" value="{min(figures.tracked, figures.limit)}"></meter>'
             if figures.limit else "")
    return (f'<section id="week"><h2>Today and this week</h2>Today <b id="today">{hours(figures.today)}</b> · '
            f'week <b id="week-total">{hours(figures.tracked)}</b>{limit}{meter}{minimum(figures)}</section>')


def minimum(figures: Week) -> str:
    """The weekly minimum is a promise shown against the week, never enforced (docs/rules.md#terms-in-force)."""
    if figures.minimum is None:
        return ""
    short = max(0, figures.minimum - figures.tracked)
    left = f"{hours(short)} to go" if short else "reached"
    return f' · <span id="week-minimum">weekly minimum {hours(figures.minimum)}: {left}</span>'


def queue(view: TrackerView) -> str:
    link = (f' · <a id="diary" href="{escape(view.diary_url)}" target="_blank" rel="noreferrer noopener">'
            "Open diary</a>") if view.diary_url else ""
    state = "online" if view.online else f'<span class="offline">not connected{": " + escape(view.problem) if view.problem else ""}</span>'
    return (f'<section id="queue"><h2>Uploads</h2><span id="queued">{view.queued}</span> waiting for upload · '
            f'<span id="connection">{state}</span>{link}</section>')


def last_shot(view: TrackerView) -> str:
    shot = view.shot
    if shot is None:
        return '<section id="shot"><h2>Last screenshot</h2><p class="muted">None taken yet.</p></section>'
    where = "on this computer, not uploaded yet" if view.shot_here else "uploaded"
    note = " · blurred: a private app had focus" if shot.private_app else ""
    version = int(shot.taken_at.timestamp())
    return (
        f'<section id="shot"><h2>Last screenshot</h2><img class="shot" id="shot-image" alt="the last screenshot" '
        f'src="shot.jpg?v={version}"><p>Taken at {_local(shot.taken_at)} · <span id="shot-where">{where}</span>{note}</p>'
        f'<form method="post" action="delete"><input type="hidden" name="session_id" value="{shot.session_id}">'
        f'<input type="hidden" name="slot_start" value="{shot.slot_start.isoformat()}">'
        '<button class="danger" id="delete">Delete this slot</button> '
        '<span class="muted">its screenshot and its time go</span></form></section>'
    )


def memo_form(view: TrackerView) -> str:
    return (
        '<section id="memo-edit"><h2>Memo</h2><form method="post" action="memo">'
        f'<input type="text" name="text" id="memo-text" maxlength="500" value="{escape(view.memo)}" '
        'placeholder="What you are working on"> <button id="memo-save">Set</button></form></section>'
    )


def private_apps_form(view: TrackerView) -> str:
    patterns = escape("\n".join(view.private_apps))
    return (
        '<section id="private-apps"><h2>Private apps</h2><p class="muted">One app or window title a line '
        "(e.g. <code>KeePassXC</code>, <code>*bank*</code>). While one has focus the screenshot is blurred on "
        "this computer and no window title is sent; the slot still counts. The list stays on this computer.</p>"
        '<form method="post" action="apps"><textarea name="patterns" id="apps-text" rows="4">'
        f'{patterns}</textarea><button id="apps-save">Save</button></form></section>'
    )


def webcam_form(view: TrackerView) -> str:
    """Shown once a contract asks for the webcam, or while consent is given (so it can be taken back)."""
    if view.webcam == "off" and not view.webcam_consent:
        return ""
    asked = ("Your contract asks for a camera frame with each screenshot." if view.webcam != "off"
             else "No contract of yours asks for the webcam now.")
    state = ("You consent: a frame is taken with each screenshot, from the next slot after you consented."
             if view.webcam_consent else "You have not consented: no frame is taken.")
    note = f'<p class="offline" id="webcam-note">{escape(view.webcam_note)}</p>' if view.webcam_note else ""
    action, label = ("withdraw", "Withdraw consent") if view.webcam_consent else ("give", "I consent to the webcam")
    return (
        f'<section id="webcam"><h2>Webcam</h2><p>{asked} <span id="webcam-state">{state}</span></p>{note}'
        f'<form method="post" action="webcam"><input type="hidden" name="consent" value="{action}">'
        f'<button id="webcam-consent">{label}</button></form>'
        '<p class="muted">Your consent stays on this computer and is told to the server; you may withdraw it '
        "at any time, and no frame is taken after that.</p></section>"
    )


def _local(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M:%S")
