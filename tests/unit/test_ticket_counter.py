"""The ticket counter on a real ZODB with two connections, as two instances
of a cluster see it: concurrent increments conflict (one transaction is
retried) instead of being merged into one number given twice."""

from BTrees.Length import Length
from collective.tickets.core.numbers import TicketCounter
from ZODB import DB
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError

import os
import tempfile
import transaction
import unittest


class TestCounterConflicts(unittest.TestCase):
    def setUp(self):
        # A FileStorage resolves conflicts as a ZEO server's does.
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.db = DB(FileStorage(os.path.join(folder.name, "Data.fs")))
        self.addCleanup(self.db.close)

    def two_increments(self, counter, increment, value):
        """Store ``counter``, increment it in two connections at once and
        commit both: what the second commit does."""
        manager = transaction.TransactionManager()
        connection = self.db.open(manager)
        connection.root()["counter"] = counter
        manager.commit()
        connection.close()
        managers = [transaction.TransactionManager() for _ in range(2)]
        connections = [self.db.open(m) for m in managers]
        seen = []
        for connection in connections:
            counter = connection.root()["counter"]
            increment(counter)
            seen.append(value(counter))
        managers[0].commit()
        try:
            managers[1].commit()
        except ConflictError:
            managers[1].abort()
            return seen, "conflict"
        finally:
            for connection in connections:
                connection.close()
        return seen, "merged"

    def test_our_counter_conflicts(self):
        def increment(counter):
            counter.value += 1

        seen, outcome = self.two_increments(
            TicketCounter(), increment, lambda counter: counter.value
        )
        # Both read 0 and took 1: the second commit must not pass.
        self.assertEqual(seen, [1, 1])
        self.assertEqual(outcome, "conflict")

    def test_a_length_would_merge_and_give_one_number_twice(self):
        """Why the counter is no BTrees.Length: this is the failure the test
        above guards against."""
        seen, outcome = self.two_increments(
            Length(0), lambda counter: counter.change(1), lambda counter: counter()
        )
        self.assertEqual(seen, [1, 1])
        self.assertEqual(outcome, "merged")
