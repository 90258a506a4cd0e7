"""Bounded cost on the import's input: streamed CSV, capped cells, uploads refused as they arrive."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files import uploadhandler
from django.urls import reverse
from openpyxl import Workbook

from catalog.actors import SYSTEM
from catalog.imports import ImportFileError, plan_import
from catalog.imports.reading import MAX_CELL_CHARS, MAX_FILE_BYTES
from catalog.models import Category, DutyItem
from tests.conftest import make_category, make_office

pytestmark = pytest.mark.django_db

BASIC_HEADER = ["序号", "类别", "事项名称", "具体内容", "责任科室", "依据", "备注"]


@pytest.fixture
def place(duty_list):
    make_category(duty_list.township.county, "党的建设", 1)
    make_office(duty_list.township, "党政办公室")
    return duty_list.township


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8")


def basic_workbook(*rows: list) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "基本履职事项清单"
    sheet.append(BASIC_HEADER)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def staged_files(settings) -> list:
    folder = settings.IMPORT_UPLOAD_DIR
    return list(folder.iterdir()) if folder.exists() else []


def upload(client, township, data: bytes, name: str = "清单.xlsx", **fields):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("catalog:import_upload", args=[township.code]), {"file": file, **fields})


# CSV is read one row at a time


def test_a_csv_of_nothing_but_line_breaks_stops_at_the_row_limit_without_being_held(place):
    data = b"\n" * (19 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as refused:
            plan_import(data, "空行.csv", place, by=SYSTEM)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "文件超过 20000 行（空行也计算在内）" in str(refused.value)
    assert peak < 100 * 1024 * 1024, f"peak {peak // 1024 // 1024} MB"


@pytest.mark.parametrize(
    "length", [MAX_CELL_CHARS + 1, 200_000]
)  # the second passes the csv module's own limit
def test_an_oversized_csv_cell_is_named_by_row_and_column(place, length):
    rows = [BASIC_HEADER, ["1", "党的建设", "事项", "内容", "党政办公室", "", ""]]
    rows.append(["2", "党的建设", "长事项", "很" * length, "党政办公室", "", ""])
    with pytest.raises(ImportFileError) as refused:
        plan_import(csv_bytes(rows), "清单.csv", place, by=SYSTEM)
    assert str(refused.value) == f"第 3 行第 4 列的内容超过 {MAX_CELL_CHARS} 字，请精简后再导入。"


def test_a_nul_character_in_a_csv_cell_is_named_by_row_and_column(place, duty_list):
    rows = [BASIC_HEADER, ["1", "党的建设", "事项\x00", "内容", "党政办公室", "", ""]]
    with pytest.raises(ImportFileError) as refused:
        plan_import(csv_bytes(rows), "清单.csv", place, by=SYSTEM)
    assert str(refused.value).startswith("第 2 行第 3 列含有空字符（NUL）")
    assert DutyItem.objects.count() == 0


def test_an_oversized_workbook_cell_is_named_by_sheet_row_and_column(place):
    # openpyxl cuts what it writes to 32767 characters; another program may not.
    packed = basic_workbook([1, "党的建设", "长事项", "PLACEHOLDER", "党政办公室", "", ""])
    source, stream = zipfile.ZipFile(io.BytesIO(packed)), io.BytesIO()
    with zipfile.ZipFile(stream, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            target.writestr(entry, content.replace(b"PLACEHOLDER", "很".encode() * (MAX_CELL_CHARS + 1)))
    data = stream.getvalue()
    with pytest.raises(ImportFileError) as refused:
        plan_import(data, "清单.xlsx", place, by=SYSTEM)
    assert "工作表“基本履职事项清单”第 2 行第 4 列的内容超过 32767 字" in str(refused.value)


def test_an_oversized_cell_on_the_upload_page_is_a_message_and_nothing_is_kept(client, cast, place, settings):
    client.force_login(cast["township_official"])
    rows = [BASIC_HEADER, ["1", "党的建设", "长事项", "很" * 40_000, "党政办公室", "", ""]]
    response = upload(client, place, csv_bytes(rows), "清单.csv")
    assert response.status_code == 200
    assert "第 2 行第 4 列的内容超过 32767 字" in str(response.context["form"].errors["file"])
    assert DutyItem.objects.count() == 0 and staged_files(settings) == []


# Request bodies stop at the limit as they arrive


@pytest.fixture
def temp_files(settings, tmp_path, monkeypatch):
    """Where Django would spool an upload, and every temporary upload file it opens."""
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    opened = []
    original = uploadhandler.TemporaryUploadedFile

    def spy(*args, **kwargs):
        file = original(*args, **kwargs)
        opened.append(file)
        return file

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", spy)
    return folder, opened


def test_an_upload_stated_larger_than_the_limit_never_reaches_the_disk(
    client, cast, place, settings, temp_files
):
    folder, opened = temp_files
    client.force_login(cast["township_official"])
    response = upload(client, place, b"PK\x03\x04" + b"\0" * (25 * 1024 * 1024))
    assert response.status_code == 413
    assert "文件超过 20 MB 的上限。" in response.content.decode()
    assert opened == [] and list(folder.iterdir()) == []
    assert staged_files(settings) == [] and DutyItem.objects.count() == 0


def test_an_upload_passing_the_limit_while_it_arrives_is_stopped_and_its_spool_deleted(
    client, cast, place, settings, temp_files
):
    folder, opened = temp_files
    client.force_login(cast["county_editor"])
    response = upload(client, place, b"PK\x03\x04" + b"\0" * (MAX_FILE_BYTES + 1000))
    assert response.status_code == 413
    assert "文件超过 20 MB 的上限。" in response.content.decode()
    assert list(folder.iterdir()) == [] and all(file.closed for file in opened)
    assert staged_files(settings) == [] and Category.objects.filter(name="党的建设").count() == 1


# Uploads that cannot be imported are deleted at once


def test_a_file_with_problems_is_not_kept_for_a_confirmation(client, cast, place, settings):
    client.force_login(cast["township_official"])
    # An unknown office could be mapped in the preview; a row without a name has to be fixed in the file.
    data = basic_workbook(
        [1, "党的建设", "", "内容", "党政办公室", "", ""],
        [2, "党的建设", "事项", "内容", "不存在的科室", "", ""],
    )
    response = upload(client, place, data)
    assert response.status_code == 200 and "不能导入" in response.content.decode()
    assert response.context["token"] == "" and staged_files(settings) == []
    assert client.session.get("pending_imports", {}) == {}


def test_cancelling_a_preview_deletes_the_upload(client, cast, place, settings):
    client.force_login(cast["township_official"])
    token = upload(
        client, place, basic_workbook([1, "党的建设", "事项", "内容", "党政办公室", "", ""])
    ).context["token"]
    assert len(staged_files(settings)) == 1
    response = client.post(
        reverse("catalog:import_confirm", args=[place.code]), {"token": token, "cancel": "1"}, follow=True
    )
    assert "已取消导入《清单.xlsx》，上传的文件已删除。" in response.content.decode()
    assert staged_files(settings) == [] and DutyItem.objects.count() == 0
    assert token not in client.session.get("pending_imports", {})


def test_a_file_found_unfit_at_the_confirmation_is_deleted(client, cast, place, settings):
    client.force_login(cast["township_official"])
    token = upload(
        client, place, basic_workbook([1, "党的建设", "事项", "内容", "党政办公室", "", ""])
    ).context["token"]
    place.offices.get(name="党政办公室").delete()  # renamed by the county editor meanwhile
    response = client.post(reverse("catalog:import_confirm", args=[place.code]), {"token": token})
    assert response.status_code == 409 and "找不到责任科室“党政办公室”" in response.content.decode()
    assert staged_files(settings) == [] and DutyItem.objects.count() == 0
    assert token not in client.session.get("pending_imports", {})
