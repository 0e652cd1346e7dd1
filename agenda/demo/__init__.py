"""Demo content: the network's real events with sample agendas, and one upcoming event.

``load_demo()`` (in ``loader``) writes it to the database; ``manage.py load_demo`` calls it.
Apps above agenda add their own sample data on ``signals.demo_loaded``.
"""
