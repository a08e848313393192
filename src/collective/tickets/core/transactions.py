"""Work committed in a transaction of its own, for the periodic job and for
other long runs: one piece done and kept even if a later one fails."""

import transaction


# How often a transaction is tried when it conflicts with another (the
# other instance of a cluster, a person writing to the same ticket).
ATTEMPTS = 3


def in_own_transaction(work, note=""):
    """``work()`` in a transaction of its own, committed; tried again, up to
    ``ATTEMPTS`` times, when it conflicts (then ``ConflictError`` is raised).
    What ``work()`` returns from the attempt that was committed."""
    for attempt in transaction.manager.attempts(ATTEMPTS):
        with attempt as txn:
            if note:
                txn.note(note)
            result = work()
    return result
