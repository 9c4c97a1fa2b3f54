"""An SMTP server for the tests (aiosmtpd): listens on 127.0.0.1:PORT and
saves each message in DIR as NNNNNN.eml, with its text body decoded beside
it as NNNNNN.txt and its recipients as NNNNNN.to. Runs until stdin closes.
Exit code 3: aiosmtpd is not installed."""

import email
import email.policy
import os
import sys

try:
    from aiosmtpd.controller import Controller
except ImportError:
    print("aiosmtpd is not installed", file=sys.stderr)
    sys.exit(3)


class Save:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, f"{self.count:06d}")
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()
        for suffix, data in (
            (".eml", envelope.content),
            (".to", "\n".join(envelope.rcpt_tos).encode()),
            (".subject", str(message["subject"]).encode()),
            (".txt", text.encode()),
        ):
            with open(base + suffix + ".part", "wb") as f:
                f.write(data)
        # The .txt last: a reader that sees it sees the rest.
        for suffix in (".eml", ".to", ".subject", ".txt"):
            os.replace(base + suffix + ".part", base + suffix)
        return "250 OK"


def main():
    folder, port = sys.argv[1], int(sys.argv[2])
    controller = Controller(Save(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
