"""cuishou-guard service layer: pipeline, fusion, readers, reports, API and CLI."""
