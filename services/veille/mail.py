"""A digest as an e-mail (French plain text and HTML, from Jinja2 templates) and its sending over SMTP."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from services.settings import SmtpSettings

_TEMPLATES = Path(__file__).parent / "templates"


class MailError(RuntimeError):
    """The message could not be handed to the mail server (it stays due: retried later)."""


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                              trim_blocks=True, lstrip_blocks=True)


def compose(sender: str, to: str, subject: str, context: dict[str, Any]) -> EmailMessage:
    """A multipart/alternative message: ``digest.txt`` then ``digest.html`` rendered with ``context``."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "phare")
    message.set_content(_environment().get_template("digest.txt").render(context))
    message.add_alternative(_environment().get_template("digest.html").render(context), subtype="html")
    return message


def send(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Hand ``message`` to the SMTP server of ``smtp`` (STARTTLS and login if configured)."""
    if not smtp.host:
        raise MailError("aucun serveur SMTP configuré (PHARE_SMTP__HOST)")
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password.get_secret_value() if smtp.password else "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"serveur SMTP {smtp.host}:{smtp.port} : {exc}") from exc
