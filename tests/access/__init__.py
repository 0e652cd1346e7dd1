"""The access matrix: every endpoint of the site against every kind of caller.

``world`` builds two symmetric sides (the victim, A, and the other, B), ``matrix`` says what
every URL pattern is and what each caller may do there, ``rows`` snapshots the database to tell
whether a request wrote anything, and ``table`` writes the matrix for people to read
(docs/access-matrix.md). The tests are in ``tests/test_access_matrix.py``.
"""
