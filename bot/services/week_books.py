"""The records of many contracts' weeks, read at once for the week close (storage/week_chunk.py
reads them, one query per table), handed to the ledger one contract at a time."""

from sqlmodel import Session

from bot.services import ledger
from diary.late import LateLine
from diary.weeks import BillingWeek
from storage import repo
from storage.week_chunk import WeekChunk


class Books:
    """The records of one chunk's contracts for one week."""

    def __init__(self, s: Session, ids: list[int], week: BillingWeek, slot_seconds: int) -> None:
        chunk = WeekChunk(s, ids=ids, start=week.start, end=week.end, monday=week.monday, history_fields=ledger.HISTORY_FIELDS)
        self.chunk, self.contracts, self.slots = chunk, chunk.contracts, chunk.slots
        self.names, self.workspaces = chunk.names, chunk.workspaces
        # Few contracts have late slots: theirs are read one by one.
        self.late = {contract_id: ledger.late_line_of(s, self.contracts[contract_id], week, slot_seconds)
                     for contract_id in repo.late_contracts_billed_in(s, contract_ids=ids, billed_week_start=week.monday)}

    def records(self, contract_id: int) -> ledger.WeekRecords:
        changes = self.chunk.changes.get(contract_id, [])
        return ledger.WeekRecords(
            columns=self.slots.columns(contract_id),
            sessions=self.chunk.sessions,
            disputes=self.chunk.disputes.get(contract_id, []),
            changes={field: [c for c in changes if c.field == field] for field in ledger.HISTORY_FIELDS},
            bonuses=self.chunk.bonuses.get(contract_id, []),
            late=self.late.get(contract_id, LateLine()),
        )
