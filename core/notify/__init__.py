"""Notifications: an outbox sent exactly once over email and WhatsApp, and candidates' replies.

``outbox.notify(conn, ...)`` writes a notification (and the task that sends it) inside the caller's
transaction; ``sender.deliver`` is what the ``notify`` agent runs; ``inbound`` and ``webhook`` take the
candidates' replies. See docs/notifications.md.
"""
