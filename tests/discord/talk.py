"""People using Discord against the fake: slash commands, clicks and form submissions as
INTERACTION_CREATE events, and the bot's answer to each as a Reply."""

from dataclasses import dataclass

from tests.discord.fake import (
    APP_ID,
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    Reply,
    buttons_of,
    channel_json,
    member_json,
    user_json,
)

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
USER_OPTION, SUBCOMMAND, USER_SELECT, TEXT_INPUT, LABEL = 6, 1, 5, 4, 18


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    admin: bool = False  # has Manage Server in the guild

    def json(self) -> dict:
        return user_json(self.id, self.name)


ALICE = Person("800000000000000001", "alice", admin=True)  # the client, and an admin of the guild
BOB = Person("800000000000000002", "bob")  # the freelancer
CAROL = Person("800000000000000003", "carol")  # somebody else in the guild


def _resolved(people: list[Person]) -> dict:
    return {"users": {p.id: p.json() for p in people},
            "members": {p.id: {k: v for k, v in member_json(p.json()).items() if k != "user"} for p in people}}


class Discord:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def _interaction(self, kind: int, who: Person, data: dict, channel: str, message: dict | None) -> dict:
        number = str(next(self.fake.ids))
        return {
            "id": number, "application_id": APP_ID, "type": kind, "token": f"token-{number}", "version": 1,
            "channel_id": channel, "data": data, "locale": "en-US", "app_permissions": "2248473465835073",
            "entitlements": [], "attachment_size_limit": 10485760, **self._where(who, channel),
            **({"message": message} if message else {}),
        }

    def _where(self, who: Person, channel: str) -> dict:
        """In a guild channel the asker comes as a member; in a direct message as a user, without a guild."""
        if channel in self.fake.dm_channels.values():
            return {"user": who.json(), "channel": {"id": channel, "type": 1, "recipients": [who.json()]},
                    "authorizing_integration_owners": {"0": GUILD_ID}, "context": 1}
        return {"guild_id": GUILD_ID, "guild_locale": "en-US", "member": member_json(who.json(), admin=who.admin), "channel": channel_json(channel),
                "authorizing_integration_owners": {"0": GUILD_ID}, "context": 0}

    async def _send(self, kind: int, who: Person, data: dict, channel: str = CHANNEL_ID, message: dict | None = None) -> Reply:
        interaction = self._interaction(kind, who, data, channel, message)
        await self.fake.dispatch("INTERACTION_CREATE", interaction)
        return await self.answer(interaction)

    async def answer(self, interaction: dict) -> Reply:
        """The callback, and when it was a deferral (5, 6) the follow-up or edit that completed it."""
        kind, data, files = (await self.fake.wait_for(lambda: self.fake.callbacks.get(interaction["id"])))[0]
        if kind not in (5, 6):
            return Reply(kind, data, files=files)
        token = interaction["token"]
        follow = await self.fake.wait_for(lambda: (self.fake.webhook_posts.get(token) or self.fake.original_edits.get(token) or [None])[0])
        return Reply(kind, data, follow=follow, files=follow.pop("_files", {}))

    def command(self, path: str) -> tuple[dict, dict | None]:
        """The synced definition of `/name` and of its subcommand, if any."""
        name, _, sub = path.partition(" ")
        top = next(c for c in self.fake.synced[GUILD_ID] if c["name"] == name)
        return top, next((o for o in top.get("options", []) if o["name"] == sub), None) if sub else None

    def _options(self, definition: dict, given: dict, focused: str | None = None) -> tuple[list[dict], list[Person]]:
        types = {o["name"]: o["type"] for o in definition.get("options", [])}
        options, people = [], []
        for name, value in given.items():
            if isinstance(value, Person):
                people.append(value)
                value = value.id
            options.append({"name": name, "type": types[name], "value": value, **({"focused": True} if name == focused else {})})
        return options, people

    def _command_data(self, path: str, given: dict, focused: str | None = None) -> dict:
        top, sub = self.command(path)
        options, people = self._options(sub or top, given, focused)
        if sub:
            options = [{"name": sub["name"], "type": SUBCOMMAND, "options": options}]
        return {"id": top["id"], "name": top["name"], "type": 1, "guild_id": GUILD_ID, "options": options,
                **({"resolved": _resolved(people)} if people else {})}

    async def slash(self, who: Person, path: str, *, channel: str = CHANNEL_ID, **options) -> Reply:
        """`/path` typed by `who`, e.g. slash(ALICE, "contract new", freelancer=BOB, rate=40)."""
        return await self._send(APPLICATION_COMMAND, who, self._command_data(path, options), channel)

    async def autocomplete(self, who: Person, path: str, focused: str, typed: str, *, channel: str = CHANNEL_ID,
                           **options) -> list[dict]:
        data = self._command_data(path, {**options, focused: typed}, focused)
        reply = await self._send(AUTOCOMPLETE, who, data, channel)
        return reply.data["choices"]

    async def click(self, who: Person, message: dict, label: str) -> Reply:
        """Presses a button of a message, in the channel (or DM) the message is in."""
        button = next(b for b in buttons_of(message) if b.get("label") == label)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._send(COMPONENT, who, data, message["channel_id"], message)

    async def submit(self, who: Person, form: Reply, values: dict, *, message: dict | None = None) -> Reply:
        """Fills in the form (modal) the bot opened: text by custom_id; a Person for a user select."""
        data = self.submission_data(form, values)
        return await self._send(MODAL_SUBMIT, who, data, message["channel_id"] if message else CHANNEL_ID, message)

    def submission_data(self, form: Reply, values: dict) -> dict:
        components, people = [], []
        for row in form.data["components"]:
            field = row["component"]
            value = values.get(field["custom_id"])
            if field["type"] == USER_SELECT:
                people += [value] if value else []
                answer = {"type": USER_SELECT, "custom_id": field["custom_id"], "values": [value.id] if value else []}
            else:
                answer = {"type": TEXT_INPUT, "custom_id": field["custom_id"], "value": value or ""}
            components.append({"type": LABEL, "component": answer})
        return {"custom_id": form.data["custom_id"], "components": components,
                **({"resolved": _resolved(people)} if people else {})}
