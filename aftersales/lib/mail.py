"""What every e-mail the system writes on its own carries, to customers and to staff alike.

``Auto-Submitted: auto-generated`` (RFC 3834) tells mail programs and servers
that no person wrote it, so that they send no out-of-office or other automatic
answer back; ``X-Auto-Response-Suppress`` says the same to Microsoft Exchange.
"""

AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}
