"""The staff console (issue 16): server-rendered pages at /staf/ for inspectorate staff.

`web.py` holds the gates every request passes (session, CSRF, role) and the login; `pages.py`
the pages; `data.py` every read and write, through the existing services, with the Scope of the
logged-in staff member; `auth.py` the secrets (Argon2id, tokens, TOTP). Templates and the
stylesheet (and a vendored htmx) live beside them; there is no build step.
"""
