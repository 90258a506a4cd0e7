"""How a service says no: a stable code, a Chinese message and the field it concerns, with the status
every caller answers it with — a page, a command and the API map a refusal the same way, without
deciding again.

The classes extend Django's own exceptions (`PermissionDenied`, `ValidationError`), so a caller that
catches those keeps working; `refusal_of` reads any refusal, coded or not, into one shape.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404


class Refused(Exception):
    """What every coded refusal carries."""

    status = 400
    code = "invalid"
    field = ""

    def coded(self, code: str, field: str = "") -> "Refused":
        self.code, self.field = code, field
        return self


class Forbidden(Refused, PermissionDenied):
    """The acting user may not do this (403)."""

    status = 403

    def __init__(self, message: str, *, code: str = "forbidden", field: str = ""):
        super().__init__(message)
        self.coded(code, field)


class Invalid(Refused, ValidationError):
    """The input is wrong (400); `field` names the item column or service parameter at fault, never
    a form's name for it. `message` may list several problems of the same field, one a sentence."""

    def __init__(self, message: str | list[str], *, code: str = "invalid", field: str = ""):
        messages = message if isinstance(message, list) else [message]
        super().__init__({field: messages} if field else messages, code=code)
        self.coded(code, field)

    @classmethod
    def fields(cls, problems: dict[str, tuple[str, str | list[str]]]) -> "Invalid":
        """Several fields wrong at once, `{field: (code, message or messages)}`, each message kept on
        its field; the refusal's code and field are the first one's."""
        refusal = cls.__new__(cls)
        ValidationError.__init__(
            refusal,
            {
                name: [
                    ValidationError(text, code=code) for text in ([text] if isinstance(text, str) else text)
                ]
                for name, (code, text) in problems.items()
            },
        )
        name, (code, _) = next(iter(problems.items()))
        return refusal.coded(code, name)


class NotFound(Refused, Http404):
    """What the request names does not exist for the acting user (404): unknown, or in another county."""

    status = 404

    def __init__(self, message: str, *, code: str = "not_found", field: str = ""):
        super().__init__(message)
        self.coded(code, field)


class Conflict(Invalid):
    """The record is no longer in the state the request was made against (409): another stage, a
    newer version, a lock."""

    status = 409


class PreconditionFailed(Invalid):
    """What the step needs first is missing (412); the message lists each missing thing."""

    status = 412

    def __init__(self, problems: list[str], *, code: str = "precondition_failed", field: str = ""):
        ValidationError.__init__(self, {field: problems} if field else problems, code=code)
        self.coded(code, field)


class TooManyRequests(Invalid):
    """The same source asked too often (429); the message says when to try again."""

    status = 429


# What a caller catches to answer every refusal: the coded ones and Django's own.
REFUSALS = (Refused, PermissionDenied, ValidationError)


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    field: str = ""


def refusal_of(error: Exception) -> Refusal:
    """Any refusal a service raises, read as status, code, message and field."""
    if isinstance(error, ValidationError):
        message = "；".join(error.messages)
        field = getattr(error, "field", "") or next(iter(getattr(error, "error_dict", {}) or {}), "")
        code = getattr(error, "code", None) or "invalid"
        status = getattr(error, "status", 400)
        return Refusal(status, code if isinstance(error, Refused) else "invalid", message, field)
    if isinstance(error, PermissionDenied):
        code = error.code if isinstance(error, Refused) else "forbidden"
        return Refusal(403, code, str(error) or "您无权进行此操作。", getattr(error, "field", ""))
    if isinstance(error, Http404):
        code = error.code if isinstance(error, Refused) else "not_found"
        return Refusal(404, code, str(error) or "找不到该记录。", getattr(error, "field", ""))
    if isinstance(error, Refused):
        return Refusal(error.status, error.code, str(error), error.field)
    raise TypeError(f"{type(error).__name__} is not a refusal") from error


@contextmanager
def refusals_as_command_errors():
    """A management command's refusal: the Chinese message on the console and a failing exit status."""
    try:
        yield
    except REFUSALS as error:
        raise CommandError(refusal_of(error).message) from None
