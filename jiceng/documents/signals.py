"""Signals the documents app sends, for apps that follow acknowledgements without the documents
app knowing them (the campaign completes its acknowledge tasks: `campaigns/conditions.py`)."""

from django.dispatch import Signal

#: Sent inside the transaction of `services.receipt_acknowledge` when a unit acknowledges a
#: document for the first time, with `receipt` (its `unit_id`, `origin_id`, `acknowledged_at`).
document_acknowledged = Signal()
