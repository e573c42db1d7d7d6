"""The forms Slack shows as modals: a new contract, a dispute of a week, an answer to a dispute.

Each input's block_id is the name of the field it fills, so a submission reads back as a dict and
a problem with one field is shown under that field.
"""

import json

from bot.services.button_refs import ButtonAction, ButtonRef
from diary.contract_terms import TERMS, Kind, Term
from diary.dates import parse_range
from diary.refusal import Refusal
from diary.weeks import parse_week

CONTRACT_FORM = "contract_new"
BUTTON_FORM = "button_form"  # a form a button opened; private_metadata says which button
METADATA_LIMIT = 3000


def _label(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def text_input(field: str, label: str, *, initial: str = "", hint: str = "", optional: bool = False,
               multiline: bool = False, placeholder: str = "") -> dict:
    element = {"type": "plain_text_input", "action_id": field, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = _label(placeholder)
    block = {"type": "input", "block_id": field, "label": _label(label), "element": element, "optional": optional}
    return block | ({"hint": _label(hint)} if hint else {})


def choice_input(field: str, label: str, choices: list[str], initial: str) -> dict:
    options = [{"text": _label(c), "value": c} for c in choices]
    element = {"type": "static_select", "action_id": field, "options": options,
               "initial_option": next(o for o in options if o["value"] == initial)}
    return {"type": "input", "block_id": field, "label": _label(label), "element": element}


def _modal(callback: str, title: str, submit: str, blocks: list[dict], metadata: dict) -> dict:
    return {"type": "modal", "callback_id": callback, "title": _label(title), "submit": _label(submit),
            "close": _label("Cancel"), "private_metadata": json.dumps(metadata), "blocks": blocks}


def contract_modal(channel: str) -> dict:
    freelancer = {"type": "input", "block_id": "freelancer", "label": _label("Freelancer"),
                  "element": {"type": "users_select", "action_id": "freelancer"}}
    return _modal(CONTRACT_FORM, "New contract", "Create", [freelancer, *map(term_input, TERMS)], {"channel": channel})


def term_input(term: Term) -> dict:
    """A term's field, from its declaration: a menu of its values, or a text field with its default."""
    label = term.label.capitalize()
    initial = term.text(term.default) or ""
    if term.choices or term.kind == Kind.SWITCH:
        return choice_input(term.name, label, list(term.choices or ("on", "off")), initial)
    return text_input(term.name, label, initial=initial, hint=term.hint, optional=term.name != "rate" and not initial,
                      placeholder=term.example.partition("=")[2].strip('"') if not initial else "")


def dispute_modal(ref: ButtonRef, origin: dict) -> dict:
    """The Dispute button's form: a time range of one day of the week, and the reason."""
    week_label = ref.week
    day = {"type": "input", "block_id": "day", "label": _label("Day"),
           "element": {"type": "datepicker", "action_id": "day", **_monday(week_label)}}
    blocks = [
        day,
        text_input("range", "Time range", placeholder="10:00-11:30", hint="In the contract's billing timezone"),
        text_input("reason", "Reason", multiline=True, placeholder="No work visible in the screenshots"),
    ]
    return _modal(BUTTON_FORM, f"Dispute {week_label}"[:24], "Dispute", blocks, origin)


def _monday(week_label: str) -> dict:
    try:
        return {"initial_date": parse_week(week_label, "UTC").monday.isoformat()}
    except ValueError:
        return {}


def answer_modal(ref: ButtonRef, origin: dict) -> dict:
    blocks = [text_input("answer", "Your answer", multiline=True, placeholder="The screenshots show the staging server")]
    return _modal(BUTTON_FORM, f"Answer dispute #{ref.number}"[:24], "Answer", blocks, origin)


MODALS = {ButtonAction.DISPUTE_WEEK: dispute_modal, ButtonAction.ANSWER_DISPUTE: answer_modal}


def origin(ref: ButtonRef, channel: str, ts: str | None, blocks: list[dict]) -> dict:
    """What a form remembers of its button: which one, and the message to update once it is done."""
    meta = {"action": str(ref.action), "value": ref.encode(), "channel": channel, "ts": ts, "blocks": blocks}
    if len(json.dumps(meta)) > METADATA_LIMIT:
        meta["blocks"] = []  # too long to carry: the update then shows the outcome alone
    return meta


def form_values(view: dict) -> dict[str, str]:
    """A submitted view's inputs by block_id, whatever kind of element each is."""
    values = {}
    for field, elements in view.get("state", {}).get("values", {}).items():
        for element in elements.values():
            values[field] = _element_value(element)
    return values


def _element_value(element: dict) -> str:
    kind = element.get("type")
    if kind == "static_select":
        return (element.get("selected_option") or {}).get("value") or ""
    if kind == "users_select":
        return element.get("selected_user") or ""
    if kind == "datepicker":
        return element.get("selected_date") or ""
    return (element.get("value") or "").strip()


def errors(problems: dict[str, Refusal]) -> dict:
    """The answer to a submission that shows each problem under its own field."""
    return {"response_action": "errors", "errors": {field: r.message for field, r in problems.items()}}


def field_of(ref: ButtonRef | None, values: dict[str, str]) -> str:
    """Which input a refusal of a button's form belongs under."""
    if ref is not None and ref.action is ButtonAction.ANSWER_DISPUTE:
        return "answer"
    if isinstance(parse_range(values.get("range", ""), ""), Refusal):
        return "range"
    # A blank reason is the reason's problem; anything else is about the day and the week.
    return "reason" if not values.get("reason") else "day"
