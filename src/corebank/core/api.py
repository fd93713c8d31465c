"""Where the versioned API lives; every domain router's prefix starts with it."""

API_PREFIX = "/api/v1"
