"""Local emulators of external services, for development, demos and tests.

Nothing here imports the product: each emulator is a plain standard-library program.
"""
