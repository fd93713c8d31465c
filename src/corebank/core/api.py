"""Where the versioned API lives; every domain router's prefix starts with it."""

API_PREFIX = "/api/v1"

#: The largest id any table holds (a signed 64-bit integer). Every id a request carries is
#: bounded by it, so a larger one is a 422 instead of an overflow in the database driver.
MAX_ID = 2**63 - 1
