"""A workbook waiting between its preview and the confirmation.

The file waits in `IMPORT_UPLOAD_DIR` under a random token; what the preview was made from (file
name, township, whether names may be created, the names chosen for unknown ones, the list's
version) waits in a store the caller keeps per user — the web session for the pages. Only a file
there is something to confirm from, or names to choose for, is staged, and it is removed as soon as it is imported, cancelled or found unfit; what is left behind
is removed by the hourly clean-up (`catalog.jobs.clean_up_files`).
"""

import secrets
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from .matching import ImportPlan, StalePlanError, plan_import

# Where a store keeps its staged uploads (the session's key for the pages).
STORE_KEY = "pending_imports"


@dataclass
class StagedUpload:
    token: str
    filename: str
    township: str  # the township's code
    create_missing: bool
    list_version: int | None
    # The preview's choices for names the county does not have: [kind, name, record id or "new"].
    choices: list = field(default_factory=list)

    @property
    def path(self) -> Path:
        return upload_dir() / f"{self.token}.upload"

    def read(self) -> bytes:
        return self.path.read_bytes()

    def chosen(self) -> dict:
        """The choices as `plan_import` takes them."""
        return {(kind, name): value for kind, name, value in self.choices}


def upload_dir() -> Path:
    path = Path(settings.IMPORT_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage_upload(
    store: MutableMapping, data: bytes, plan: ImportPlan, *, create_missing: bool, choices: dict | None = None
) -> str:
    """Keep the file the plan was made from until it is confirmed; '' when there is nothing to confirm
    and no unknown name to choose a record for."""
    confirmable = plan.ok and (plan.has_changes or any(plan.to_create.values()))
    # Names to choose records for, and no other problem: choosing them makes the file importable.
    mappable = plan.unresolved and len(plan.problems) == len(plan.unresolved)
    if not (confirmable or mappable):
        return ""
    staged = StagedUpload(
        secrets.token_urlsafe(16),
        plan.filename,
        plan.township.code,
        create_missing,
        plan.list_version,
        [[kind, name, value] for (kind, name), value in (choices or {}).items()],
    )
    staged.path.write_bytes(data)
    pending = store.get(STORE_KEY, {})
    pending[staged.token] = {key: value for key, value in asdict(staged).items() if key != "token"}
    store[STORE_KEY] = pending
    return staged.token


def staged_upload(store: MutableMapping, token: str, township_code: str) -> StagedUpload | None:
    """The upload waiting under `token` for this township, if its file is still there."""
    entry = store.get(STORE_KEY, {}).get(token)
    if entry is None or entry["township"] != township_code:
        return None
    staged = StagedUpload(token, **entry)
    return staged if staged.path.is_file() else None


def restage(
    store: MutableMapping, staged: StagedUpload, list_version: int | None, choices: dict | None = None
) -> str:
    """The draft changed since the preview, or names were chosen: the file waits for the refreshed
    preview instead."""
    pending = store.get(STORE_KEY, {})
    if staged.token not in pending:
        return ""
    pending[staged.token]["list_version"] = list_version
    if choices is not None:
        pending[staged.token]["choices"] = [[kind, name, value] for (kind, name), value in choices.items()]
    store[STORE_KEY] = pending
    return staged.token


def discard_upload(store: MutableMapping, token: str) -> None:
    """The staged file and its entry go as soon as the file cannot or will not be imported."""
    (upload_dir() / f"{token}.upload").unlink(missing_ok=True)
    pending = store.get(STORE_KEY, {})
    if token in pending:
        del pending[token]
        store[STORE_KEY] = pending


def replan(staged: StagedUpload, township, *, by, choices: dict | None = None) -> ImportPlan:
    """The preview made again from the staged file, with its chosen names (or `choices`)."""
    return plan_import(
        staged.read(),
        staged.filename,
        township,
        create_missing=staged.create_missing,
        choices=staged.chosen() if choices is None else choices,
        by=by,
    )


def confirmable_plan(store: MutableMapping, staged: StagedUpload, township, *, by) -> ImportPlan:
    """What a confirmation carries out: the plan made again from the staged file.

    Refused with `StalePlanError`, whose `plan` is the fresh preview, when the file has problems
    (the file is discarded) or the draft changed since the preview (the file waits for the fresh
    preview, which can be confirmed in turn). Raises `ImportFileError` when the file cannot be read.
    """
    plan = replan(staged, township, by=by)
    if not plan.ok:
        discard_upload(store, staged.token)
        raise stale_plan("文件有问题，未导入。", plan)
    if plan.list_version != staged.list_version:
        restage(store, staged, plan.list_version)
        raise stale_plan("预览之后清单已被修改，下面是按最新清单重新生成的预览，请核对后再确认。", plan)
    return plan


def stale_plan(message: str, plan: ImportPlan) -> StalePlanError:
    error = StalePlanError(message)
    error.plan = plan
    return error
