#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only compare the code with its migrations: they sign nothing and keep nothing, so
# without a SECRET_KEY they run with a throwaway one rather than refusing.
KEYLESS_COMMANDS = {"makemigrations"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production mode unless DEBUG=1 says otherwise, as for the web server: a command run on a
    # server never falls back to the development key. The Makefile's targets set DEBUG=1.
    if sys.argv[1:2] and sys.argv[1] in KEYLESS_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
