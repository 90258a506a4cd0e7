"""gunicorn's settings for the web server (`deploy/run-web`); variables from the environment.

WEB_BIND     address and port to listen on (default 127.0.0.1:8000, behind nginx)
WEB_WORKERS  worker processes (default: two per CPU core plus one)
WEB_TIMEOUT  seconds a request may take before its worker is replaced (default 180: an Excel
             import of a large workbook must finish; nginx waits 150 s for the answer)
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# Synchronous workers, one request each: nginx buffers slow clients in front of them.
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT") or 180)
graceful_timeout = 30
# Django and the project are imported once in the master, whose config/wsgi.py then freezes
# them out of the garbage collector, and the workers share those pages after fork; a killed
# worker is replaced in milliseconds.
preload_app = True
# Access and error logs to standard output and error: journald (or the terminal) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "duty-lists-web"
