"""The names outcomes and mail classifications use (no imports: the CLI builds its parser from these)."""

#: What an operator may record.
OPERATOR_KINDS = ("no_response", "rejected", "interview", "offer", "withdrawn")
#: Every kind an outcome row may have (mail adds assessment and acknowledged).
KINDS = OPERATOR_KINDS + ("assessment", "acknowledged")
#: How a message from an employer is classified.
CLASSES = ("rejection", "interview", "assessment", "offer", "confirmation", "other")
