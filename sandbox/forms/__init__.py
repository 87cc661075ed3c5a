"""The sandbox's application forms: one module per ATS, modelled on the markup each serves."""
