"""RetailCRM loyalty program (000 §7, features G1–G5).

models.py programs, the chosen one, participations · crm.py bulk reads and customers/upload ·
services/ programs (refresh), registration (mass and single), customers (create/update in CRM),
accounts (participation rows) · jobs.py ``refresh-loyalty`` and ``register-loyalty`` ·
admin.py settings page, mass registration list, customer buttons and panels (panels.py).
Depends on integration, never the reverse.
"""
