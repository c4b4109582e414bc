"""Documents generated from a case: evidence report (JSON, Markdown, HTML, PDF), complaint letter, police summary."""
