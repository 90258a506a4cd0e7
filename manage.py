#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production mode unless DEBUG=1 says otherwise, as for the web server: a command run on a
    # server never falls back to the development key. The Makefile's targets set DEBUG=1.
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
