"""manage.py, like the web server, runs in production mode unless DEBUG=1 is given."""

from tests.config.test_settings import run_django


def test_manage_py_without_debug_or_secret_key_refuses_to_start():
    result = run_django(["check"])
    assert result.returncode != 0
    assert "未设置 SECRET_KEY" in result.stderr
    assert "development-only" not in result.stdout + result.stderr


def test_manage_py_runs_in_development_mode_when_told():
    result = run_django(
        ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)"], DEBUG="1"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_makemigrations_checks_the_code_without_a_secret_key_and_nothing_else_does():
    checked = run_django(["makemigrations", "--check", "--dry-run"])
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout
    refused = run_django(["showmigrations"])
    assert refused.returncode != 0 and "未设置 SECRET_KEY" in refused.stderr
