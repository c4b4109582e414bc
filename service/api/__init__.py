"""The HTTP API (CONTRACT §4): FastAPI app factory, dependencies, schemas and one router per resource."""
