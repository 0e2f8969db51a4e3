"""The mail worker's log lines never carry an address: servers quote them in refusals, and
database errors quote the parameters of the statement that failed."""

import logging
import re

#: Anything shaped like ``local@domain``, ASCII or not, with or without angle brackets.
_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:@]+@[^\s<>()\[\]\"',;:@]+")
MASK = "[address]"


def mask_addresses(text: str) -> str:
    return _ADDRESS.sub(MASK, text)


class MaskAddresses(logging.Filter):
    """Rewrites a record's message and traceback with every address masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_addresses(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = mask_addresses(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def masked_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(f, MaskAddresses) for f in logger.filters):
        logger.addFilter(MaskAddresses())
    return logger
