"""The floor's domain: models and services, no Flask. Services take a session and never commit."""
