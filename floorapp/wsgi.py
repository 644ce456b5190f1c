"""The WSGI entry point for gunicorn: `gunicorn -k gevent -w 1 floorapp.wsgi:app`."""
from floorapp import create_app

app = create_app()
