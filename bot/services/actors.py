"""Who is acting, as the chat platforms name them, and how that maps to our members."""

from dataclasses import dataclass

from sqlmodel import Session

from storage import repo
from storage.tables import Member, Workspace


@dataclass(frozen=True)
class UserRef:
    """Somebody named in a command (a mention): the platform's id and a display name."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class Actor:
    platform: str  # slack | discord | shell
    workspace: str  # the platform's workspace (team, guild) id
    user: str  # the platform's user id
    name: str = ""
    channel: str = ""
    # A workspace admin, as the platform says (Slack admin or owner, Discord Manage Server, the
    # shell's `/as NAME admin`); adapters look it up only where a command needs it.
    admin: bool = False

    def ref(self) -> UserRef:
        return UserRef(self.user, self.name)


def resolve(s: Session, actor: Actor) -> tuple[Workspace, Member]:
    ws = repo.workspace(s, platform=actor.platform, external_id=actor.workspace)
    return ws, repo.member(s, workspace_id=ws.id, external_id=actor.user, name=actor.name)


# The id of a stand-in for somebody Tally has never met: no row has it, so it matches no contract.
NOBODY_YET = -1


def resolve_ref(s: Session, ws: Workspace, ref: UserRef, *, create: bool = False) -> Member:
    """The member a mention names. Only hiring adds a person Tally has not met (`create`);
    elsewhere a stranger is a stand-in that is party to nothing, so a command refused for naming
    them records nobody."""
    if create:
        return repo.member(s, workspace_id=ws.id, external_id=ref.id, name=ref.name)
    known = repo.known_member(s, workspace_id=ws.id, external_id=ref.id, name=ref.name)
    return known or Member(id=NOBODY_YET, workspace_id=ws.id, external_id=ref.id, name=ref.name or ref.id)
