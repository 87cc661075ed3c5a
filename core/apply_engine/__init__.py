"""The apply engine: Talvix filling an employer's own form in a real Chromium, once, with a receipt.

``browser`` (Chromium sessions that never outlive Talvix), ``forms`` (finding, filling and reading
controls), ``answers`` (the answer sheet), ``adapters`` (Greenhouse, Lever, Ashby, generic; account
walls), ``sites`` (budgets and soft blocks), ``receipts`` (evidence), ``engine`` (the whole session
with the exactly-once submit marker). See the README, "Apply engine".
"""
