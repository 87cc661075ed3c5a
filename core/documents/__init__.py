"""Documents for an application: its context, rendering, tailoring, cover letters, interview prep and the fabrication check."""
