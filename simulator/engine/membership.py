"""Account membership: every contact in one account at most, named by its latest placement.

A placement is a message that names a contact's account: a `contact` with an `organization_id`
(a groupId trait) or an `account` message with a person (a group call). A contact's account is
the one named by its latest placement by (timestamp, message_id), so a late-arriving older group
call never undoes a newer one. Earlier placements stay, sorted, as the contact's history.
"""

from __future__ import annotations

from bisect import insort

from simulator.engine.records import Account, Person, Placement


class Membership:
    """The accounts of one workspace and which contacts each holds."""

    __slots__ = ("accounts",)

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    def account(self, organization_id: str) -> Account:
        """The account with this id, created empty the first time anything names it."""
        account = self.accounts.get(organization_id)
        if account is None:
            account = self.accounts[organization_id] = Account(organization_id)
        return account

    def place(self, person: Person, placement: Placement) -> None:
        """Record a placement; it moves the contact only if it is now the latest one."""
        self.account(placement.organization_id)
        placements = person.placements
        if not placements or placements[-1] < placement:
            placements.append(placement)
            self._settle(person, placement.organization_id)
        else:
            insort(placements, placement)

    def add_placements(self, person: Person, placements: list[Placement]) -> None:
        """Give a contact the placements a newly stitched visitor carried."""
        person.placements = sorted(person.placements + placements)
        self._settle(person, person.placements[-1].organization_id)

    def remove_placements(self, person: Person, anonymous_id: str) -> None:
        """Take back what a visitor carried, when that visitor turns out to be someone else."""
        person.placements = [p for p in person.placements if p.anonymous_id != anonymous_id]
        self._settle(person, person.placements[-1].organization_id if person.placements else None)

    def _settle(self, person: Person, organization_id: str | None) -> None:
        current = person.organization_id
        if current == organization_id:
            return
        if current is not None:
            self.accounts[current].contacts.discard(person.person_id)
        if organization_id is not None:
            self.accounts[organization_id].contacts.add(person.person_id)
        person.organization_id = organization_id


def account_history(placements: list[Placement]) -> list[Placement]:
    """The placements where the account changed: consecutive ones naming the same account
    collapse into the first, whose timestamp is when the contact joined."""
    history: list[Placement] = []
    for placement in placements:
        if not history or history[-1].organization_id != placement.organization_id:
            history.append(placement)
    return history
