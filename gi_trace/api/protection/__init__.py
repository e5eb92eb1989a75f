"""The protection loop's HTTP side (issue 12): one module per area (qualification and listing
checks, notices, cases, webhooks…), each with its blueprints and an `init_app`."""
