"""The gunicorn entry point: `gunicorn -c config/gunicorn.conf.py wsgi:app`."""

from gi_trace.api import create_app

app = create_app()
