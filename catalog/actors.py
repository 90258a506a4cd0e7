"""Who acts: every service and workflow function takes the acting user as `by=`.

`by` is a user, whose permissions the service checks, or `SYSTEM`: the project acting on its own
account — an import run on the server's command line, the demo loader, the edition an approved
adjustment produces — or an `IntegrationActor`, a county's integrating system calling with its
token. Nothing else is an actor: a missing user (`None`) is a mistake in the caller
and is refused, never read as "everything allowed". See docs/decisions/0014-explicit-actor.md.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The project itself. `recorded_as` is the person a record names, when an operator gave one."""

    recorded_as: object = None

    # No person: the permission rules that ask who someone is (memberships, superuser) refuse it,
    # so the system cannot comment, answer or decide for anyone.
    is_authenticated = False
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return "系统"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class IntegrationActor:
    """A county's integrating system (the 12345 hotline, a provincial platform) calling with its
    token: no person, so every rule that asks who someone is refuses it, bound to one county. Only the
    rules written for it let it act (recording a refused dispatch, counting a lookup); a record it
    leaves names the account, never a user."""

    name: str
    county_id: int

    is_authenticated = False
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return self.name


def is_integration(by) -> bool:
    return isinstance(by, IntegrationActor)


def is_system(by) -> bool:
    return isinstance(by, SystemActor)


def checked(by):
    """The actor, refused when the caller passed none."""
    if by is None:
        raise TypeError("The acting user is required: pass by=<user> or by=SYSTEM.")
    return by


def permits(by, check: Callable[..., bool], *args) -> bool:
    """Whether `by` may do what `check(user, *args)` asks; the system may do anything a service does."""
    return is_system(checked(by)) or check(by, *args)


def recorded_user(by):
    """The user a history record or a row's author field names: none for the system unless an operator
    was named, none for an integrating system (its row names the account)."""
    if is_integration(checked(by)):
        return None
    return by.recorded_as if is_system(by) else by
