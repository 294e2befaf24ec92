"""Scaffolding shared by the emulators: loopback server, WSGI base app, routing, rate limit, faults,
operator (``/sandbox/*``) control endpoints and test helpers. Standard library only, like every emulator.
"""
