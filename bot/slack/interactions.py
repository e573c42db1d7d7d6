"""Buttons and the modals they open: action_id is the button's action, value what it acts on."""

import json

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot import buttons
from bot.render.cards import card_for
from bot.services import contracts, forms
from bot.services.actors import UserRef
from bot.slack import contract_form
from bot.services.button_refs import ButtonRef
from bot.slack.blocks import LINK_ACTION
from bot.slack.bridge import Bridge
from bot.slack.modals import (
    BUTTON_FORM,
    CONTRACT_FORM,
    MODALS,
    errors,
    field_of,
    form_values,
    origin,
)
from bot.slack.replies import private, settle_click, settle_form
from bot.slack.translate import interaction_actor
from diary.refusal import Refusal

async def acknowledge(ack) -> None:
    await ack()


async def user_name(client, user_id: str) -> str:
    """The picked user's Slack handle, so the contract names them as mentions would."""
    try:
        found = await client.users_info(user=user_id)
    except (TimeoutError, SlackApiError, aiohttp.ClientError):  # the member keeps their id as name
        return ""
    return (found.get("user") or {}).get("name") or ""


def clicked_ref(body: dict) -> ButtonRef | None:
    action = body["actions"][0]
    return ButtonRef.decode(action.get("action_id") or "", action.get("value") or "")


def register(app: AsyncApp, bridge: Bridge) -> None:
    async def press(body: dict, client, respond) -> None:
        if not await bridge.first_time(body, "action", *(a.get("action_id", "") for a in body.get("actions", [])[:1])):
            return
        actor = interaction_actor(body)
        result = await bridge.call(buttons.press, bridge.ctx, actor, clicked_ref(body), now=bridge.clock())
        await settle_click(client, respond, body, result)

    async def open_form(ack, body: dict, client, respond) -> None:
        await ack()
        actor, ref = interaction_actor(body), clicked_ref(body)
        refusal = buttons.DAMAGED if ref is None else await bridge.call(forms.may_open, bridge.ctx, actor, ref)
        if refusal:
            return await respond(**private(card_for(refusal)))
        container, blocks = body.get("container") or {}, (body.get("message") or {}).get("blocks") or []
        meta = origin(ref, actor.channel, container.get("message_ts"), blocks)
        await client.views_open(trigger_id=body["trigger_id"], view=MODALS[ref.action](ref, meta))

    async def submit_button_form(ack, body: dict, view: dict, client) -> None:
        if not await bridge.first_time(body, "view", view.get("id") or ""):
            return await ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        actor, values = interaction_actor(body, channel=meta.get("channel", "")), form_values(view)
        ref = ButtonRef.decode(meta.get("action", ""), meta.get("value", ""))
        result = await bridge.call(buttons.press, bridge.ctx, actor, ref, now=bridge.clock(), form=values)
        if isinstance(result, Refusal):
            return await ack(**errors({field_of(ref, values): result}))
        await ack()
        await settle_form(client, meta, actor, result)

    async def submit_contract(ack, body: dict, view: dict, client) -> None:
        if not await bridge.first_time(body, "view", view.get("id") or ""):
            return await ack()  # the same submission sent again: acted on once
        meta, values = json.loads(view.get("private_metadata") or "{}"), form_values(view)
        problems = contract_form.problems(values)
        if problems:
            return await ack(**errors(problems))
        actor = interaction_actor(body, channel=meta.get("channel", ""))
        freelancer = UserRef(values["freelancer"], await user_name(client, values["freelancer"]))
        terms = contract_form.terms(values)
        result = terms if isinstance(terms, Refusal) else await bridge.call(contracts.create, bridge.ctx, actor, freelancer, terms, now=bridge.clock())
        if isinstance(result, Refusal):
            return await ack(**errors({"freelancer": result}))
        await ack()
        await settle_form(client, {"channel": actor.channel}, actor, result)

    for action in buttons.ACTIONS:
        if action in buttons.NEEDS_FORM:
            app.action(str(action))(open_form)
        else:
            app.action(str(action))(ack=acknowledge, lazy=[press])
    app.action(LINK_ACTION)(acknowledge)
    app.view(BUTTON_FORM)(submit_button_form)
    app.view(CONTRACT_FORM)(submit_contract)
