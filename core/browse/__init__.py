"""The console's data: the filter language and the paged queries behind each view."""
