"""Information governance: retention and disposal, subject access, the access log, data minimisation (issue #22)."""
