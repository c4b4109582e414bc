"""One router per resource: analyze, transcripts, cases."""
