"""The ways the desk's mail leaves: an SMTP server (STARTTLS, TLS or plain on loopback, with a
login) or a local mail server's `sendmail` command. Each says "later" or "never" the same way,
with a `DeliveryError`; the sender decides what to do about it."""

from __future__ import annotations

import smtplib
import ssl
import subprocess
from email import policy as email_policy
from email.message import EmailMessage

from console.core.mail.sender import DeliveryError
from console.core.mail.settings import MailSettings, Security
from console.core.text import one_line

SMTP_TIMEOUT = 30
_PERMANENT_SENDMAIL = {65: "the message was refused", 67: "no such user", 68: "no such host"}


class Sendmail:
    """A local mail server's `sendmail` command: the message on its standard input."""

    def __init__(self, command: tuple[str, ...]) -> None:
        self.command = command

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        try:
            done = subprocess.run(
                [*self.command, "-f", sender, "--", recipient],
                input=_bytes(message),
                capture_output=True,
                timeout=SMTP_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DeliveryError(f"{self.command[0]}: {error}", permanent=False) from None
        if done.returncode:
            said = one_line(done.stderr.decode("utf-8", "replace").strip(), 200)
            said = said or f"exit {done.returncode}"
            known = _PERMANENT_SENDMAIL.get(done.returncode)
            raise DeliveryError(f"{known}: {said}" if known else said, permanent=bool(known))


class Smtp:
    """An SMTP server, connected at the first mail and kept for the rest of the run."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host is not None
        context = ssl.create_default_context()
        try:
            if s.security == Security.TLS:
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT, context=context
                )
            else:
                connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT)
                if s.security == Security.STARTTLS:
                    connection.starttls(context=context)
            if s.user:
                connection.login(s.user, s.password() or "")
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(
                f"the server refused the login: {_said(error)}", permanent=False
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"cannot reach {s.smtp_host}:{s.smtp_port}: {error}", permanent=False
            ) from None
        return connection

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                f"the server cannot send to {recipient}: it takes no non-ASCII addresses",
                permanent=True,
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            code, said = next(iter(error.recipients.values()))
            raise DeliveryError(f"{code} {_text(said)}", permanent=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(_said(error), permanent=error.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise DeliveryError(f"the connection failed: {error}", permanent=False) from None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None


def _bytes(message: EmailMessage) -> bytes:
    """The mail as a local mail server takes it (UTF-8 headers where an address needs them)."""
    addresses = f"{message['From']} {message['To']}"
    return message.as_bytes(
        policy=email_policy.SMTP if addresses.isascii() else email_policy.SMTPUTF8
    )


def _text(said: bytes | str) -> str:
    return one_line(said.decode("utf-8", "replace") if isinstance(said, bytes) else said, 200)


def _said(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_text(error.smtp_error)}"
