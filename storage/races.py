"""What a writer meets when another wrote the same rows first, named for the code that handles it."""

from sqlalchemy.exc import IntegrityError, OperationalError

# A unique key another transaction took first (two uploads of one slot, two closes of one week).
KeyTaken = IntegrityError
# That, or the database busy or a deadlock (SQLite's writer lock, PostgreSQL's deadlock victim).
WRITE_RACES = (IntegrityError, OperationalError)
