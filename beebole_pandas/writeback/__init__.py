"""The writeback wing: plan, push and delete edited frames, safely.

A push reads the server's current state (through the load wing's public
functions), validates every row, sends only the changed ones (upserting by
xid, else id), and reports per row. A re-run after a failure re-reads and
re-plans, so nothing is duplicated or lost.

Offered (the accessor and ``bb.push`` / ``bb.plan`` call these):

- :mod:`.push`: ``plan(frame, *, entity=None, client=None) -> PlanFrame``,
  ``push(frame, *, dry_run=False, ...) -> PushResult``, ``delete(frame, ...)``.
- :mod:`.time_entries`: ``workflow(frame, verb, memo=None, client=None)``
  (submit, approve, reject, lock, unlock) and ``WORKFLOW_VERBS``.
- :mod:`.validate`: ``detect_entity(frame, entity=None)``.
- :mod:`.results`: ``PlanFrame`` and ``PushResult``.

Inside the wing: :mod:`.state` (fresh server reads), :mod:`.entities` (entity
diffs and payloads), :mod:`.links` (relationship frames), :mod:`.run`
(sending, bounded concurrency).

This wing imports the api and load wings and the shared root modules, never
``reports``.
"""
