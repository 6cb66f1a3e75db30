"""Veille: saved searches and subscriptions (``subscriptions``), their e-mail digests (``digest``:
what is new, composed in French by ``mail`` and sent over SMTP), the HTTP routes (``api``) and the
web pages (``pages``)."""
